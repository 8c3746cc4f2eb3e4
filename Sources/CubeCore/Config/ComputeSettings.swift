/// What this node lends other nodes (`node.compute.*`, docs/pooling.md "Bursts"): free
/// slots for instances of the zenki it names, offered as one `compute` offer.
package struct ComputeSettings: Equatable, Sendable {
    /// `node.compute.slots`: instances this node runs for others at most; nil = one per CPU
    /// core (``cores``), 0 = it offers nothing.
    package var slots: Int?
    /// `node.compute.runs`: the zenki it starts for others, from its own configuration; empty =
    /// it offers nothing.
    package var runs: [String] = []
    /// CPU cores, set by the program that loads the configuration (the core reads no system).
    package var cores = 1

    package init() {}

    /// The slots offered: ``slots``, or one per core when unset.
    package var effectiveSlots: Int { slots ?? max(cores, 1) }

    /// Whether the node offers compute at all.
    package var offers: Bool { effectiveSlots > 0 && !runs.isEmpty }
}
