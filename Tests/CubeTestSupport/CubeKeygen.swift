import Foundation

/// `cube keygen` as the live tests use it: a node's identity key file made by the real binary.
public enum CubeKeygen {
    /// Runs `cube keygen --out path`.
    /// - Parameter path: the key file to create (it must not exist).
    /// - Returns: the public key it printed (base32).
    /// - Throws: ``LiveTestError`` when keygen fails or prints nothing.
    public static func run(out path: String) throws -> String {
        let run = try ExecutableRun.run(Binaries.cube, ["keygen", "--out", path])
        let key = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard run.status == 0, !key.isEmpty else {
            throw LiveTestError.cubeExited("cube keygen: \(run.status) \(run.stdout) \(run.stderr)")
        }
        return key
    }
}
