/// How the dialling side of one link paces its attempts, and when it asks the peer for a node
/// key rotation proof (docs/network.md, "Links"; docs/security.md, "Node key rotation"): a
/// small pure state machine the link service feeds each attempt's outcome to.
///
/// Waits double from ``initialDelay`` up to the maximum (`network.reconnect-max`); a link that
/// lasted ``healthyLink`` starts again from ``initialDelay``. A peer that proved a key no trusted
/// node has is asked for its proof (`rotation` before `hello`) on the very next attempt, made at
/// once: a rotated peer links one connection later, not one back-off later. Only after such a
/// failure: a cube that predates rotation would not know the line.
public struct LinkRedial: Sendable, Equatable {
    /// The first wait after a failure.
    public static let initialDelay = Duration.milliseconds(250)
    /// A link that stayed up this long was a healthy peer: its next attempt starts quickly again.
    public static let healthyLink = Duration.seconds(10)

    /// The longest wait between attempts.
    public let maximumDelay: Duration
    /// The wait after the next ordinary failure.
    public private(set) var delay = Self.initialDelay
    /// Whether the next attempt asks the peer for its rotation proof.
    public private(set) var asksRotation = false

    /// - Parameter maximumDelay: `network.reconnect-max`.
    public init(maximumDelay: Duration) {
        self.maximumDelay = max(maximumDelay, Self.initialDelay)
    }

    /// What one attempt came to.
    public enum Outcome: Equatable, Sendable {
        /// Linked, and the link stayed up this long before it dropped.
        case linked(lasted: Duration)
        /// No link: `unknownKey` when the peer proved a key that stands for no trusted node.
        case failed(unknownKey: Bool)
    }

    /// Takes an attempt's outcome.
    /// - Returns: how long to wait before the next attempt.
    public mutating func next(after outcome: Outcome) -> Duration {
        switch outcome {
        case .linked(let lasted):
            if lasted > Self.healthyLink { delay = Self.initialDelay }
        case .failed(let unknownKey):
            if unknownKey, !asksRotation {
                // Unknown key, proof not asked yet: ask at once, the back-off untouched.
                asksRotation = true
                return .zero
            }
            asksRotation = unknownKey
        }
        defer { delay = min(delay * 2, maximumDelay) }
        return delay
    }
}
