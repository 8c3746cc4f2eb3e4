/// What this node lends other nodes (`node.compute.*`, docs/pooling.md "Bursts"): free
/// slots for instances of the zenki it names, offered as one `compute` offer.
public struct ComputeSettings: Equatable, Sendable {
    /// `node.compute.slots`: instances this node runs for others at most; nil = one per CPU
    /// core (``cores``), 0 = it offers nothing.
    public var slots: Int?
    /// `node.compute.runs`: the zenki it starts for others, from its own configuration; empty =
    /// it offers nothing.
    public var runs: [String] = []
    /// CPU cores, set by the program that loads the configuration (the core reads no system).
    public var cores = 1

    public init() {}

    /// The slots offered: ``slots``, or one per core when unset.
    public var effectiveSlots: Int { slots ?? max(cores, 1) }

    /// Whether the node offers compute at all.
    public var offers: Bool { effectiveSlots > 0 && !runs.isEmpty }
}
