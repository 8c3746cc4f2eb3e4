/// One file of a configuration: its path for messages, its path under the configuration's
/// top (`cube.conf`, `zenki/<name>/zenka.conf`) and its bytes.
struct ConfigurationFile {
    var name: String
    var relative: String
    var bytes: [UInt8]
}
