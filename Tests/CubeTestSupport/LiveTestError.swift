/// A failure of the live-test scaffolding (a process that exited, a wait that timed out).
public enum LiveTestError: Error, CustomStringConvertible {
    /// The cube (or another helper process) exited or failed; carries what it reported.
    case cubeExited(String)
    /// Something did not happen in time; names what.
    case timeout(String)

    public var description: String {
        switch self {
        case .cubeExited(let errors): "cube exited: \(errors)"
        case .timeout(let what): "timeout: \(what)"
        }
    }
}
