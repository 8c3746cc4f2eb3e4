/// The metrics endpoint could not listen where `metrics.listen` says (a port taken, an address
/// not on this machine): the message names the key and the address, not only the system's
/// `bind` error (a hostile operator's finding: "Address already in use" alone did not say
/// which of the cube's listeners failed).
package struct MetricsListenError: Error, CustomStringConvertible {
    package let address: String
    package let reason: String

    package var description: String { "metrics.listen \(address): cannot listen: \(reason)" }
}
