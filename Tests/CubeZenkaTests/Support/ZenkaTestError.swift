/// A failure of the test scaffolding.
enum ZenkaTestError: Error, CustomStringConvertible {
    case failed(String)

    var description: String {
        switch self {
        case .failed(let what): what
        }
    }
}
