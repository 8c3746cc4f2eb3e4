import CubeCore

/// Whom the commands written to a directory's `cmd`/`ask` go to.
package enum PortTarget: Hashable, Sendable, CustomStringConvertible {
    /// The local cube (the mount's root): node-local commands.
    case cube
    /// Every session of a zenka name (`zenki/<name>/`).
    case zenka(String)
    /// One session (`sessions/<sid>/`).
    case session(SessionID)

    /// The path prefix commands get (nil for the cube itself).
    package var prefix: [UInt8]? {
        switch self {
        case .cube: nil
        case .zenka(let name): Array(name.utf8)
        case .session(let id): Array(String(id).utf8)
        }
    }

    package var description: String {
        switch self {
        case .cube: "cube"
        case .zenka(let name): "zenki/\(name)"
        case .session(let id): "sessions/\(id)"
        }
    }
}
