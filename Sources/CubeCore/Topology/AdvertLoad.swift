/// A balanced zenka's instances and their outstanding requests on the advert's origin
/// (`load: <zenka> <instances> <outstanding>`), so that balanced dispatch on other nodes can
/// choose among every instance of the network (docs/pooling.md "Remote instances").
package struct AdvertLoad: Equatable, Hashable, Sendable {
    /// The zenka's name.
    package let name: String
    /// Instances logged in on the origin that take new commands (not draining).
    package let instances: UInt32
    /// Commands sent to those instances and not answered yet, all instances together.
    package let outstanding: UInt32

    /// Creates an advertised load.
    /// - Parameters:
    ///   - name: the zenka's name.
    ///   - instances: instances that take new commands.
    ///   - outstanding: unanswered commands of those instances.
    package init(name: String, instances: UInt32, outstanding: UInt32) {
        self.name = name
        self.instances = instances
        self.outstanding = outstanding
    }

    /// Outstanding commands per instance, rounded up: what balanced dispatch compares.
    package var perInstance: UInt32 { Self.perInstance(outstanding, instances) }

    /// `commands` over `instances`, rounded up, without overflow: a node may advertise any
    /// 32-bit counts, and `outstanding + instances - 1` in 32 bits trapped every node that
    /// read `load: calc 2 4294967295` (a hostile second reader, from the code).
    package static func perInstance(_ commands: UInt32, _ instances: UInt32) -> UInt32 {
        guard instances > 0 else { return .max }
        return UInt32(clamping: (UInt64(commands) + UInt64(instances) - 1) / UInt64(instances))
    }

    /// True if the name has a valid shape and there is at least one instance.
    package var isWellFormed: Bool { Names.isUserName(name.utf8) && instances > 0 }
}
