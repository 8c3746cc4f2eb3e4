import CubeCore

/// The identity key file (docs/protocol.md §3.5, `cube keygen`):
///
/// ```
/// # protocol-7 identity key
/// secret: <base32 of the 64-byte libsodium secret key>
/// public: <base32 of the 32-byte public key>
/// ```
///
/// The file has mode 0600. Blank lines and further `#` comment lines are ignored on reading.
extension IdentityKey {
    /// The comment line that starts every key file.
    static let fileHeader = "# protocol-7 identity key"

    /// Writes the key file with mode 0600.
    /// - Parameters:
    ///   - path: the file to write.
    ///   - overwrite: if false (the `keygen` default) an existing file is refused
    ///     (created with `O_EXCL`); if true it is truncated and its mode reset to 0600.
    /// - Throws: ``AuthError`` of kind `.fileExists` or `.fileSystem`.
    public func write(to path: String, overwrite: Bool) throws(AuthError) {
        var contents = Array("\(Self.fileHeader)\nsecret: ".utf8)
        defer { Memory.wipe(&contents) }
        withSecretKey { secret in
            var encoded = Base32.encode(utf8: secret)
            contents.append(contentsOf: encoded)
            Memory.wipe(&encoded)
        }
        contents.append(contentsOf: Array("\npublic: \(publicKey)\n".utf8))
        try FileIO.writeFile(path, contents, mode: 0o600, overwrite: overwrite)
    }

    /// Reads a key file written by ``write(to:overwrite:)``.
    /// - Parameter path: the key file.
    /// - Returns: the identity.
    /// - Throws: ``AuthError`` of kind `.insecurePermissions` if group or others have any access
    ///   to the file (the error names the path and mode), `.fileSystem` if it cannot be read,
    ///   `.malformed` if it is not a key file or its public line does not match the secret.
    public static func read(from path: String) throws(AuthError) -> IdentityKey {
        var contents = try FileIO.readFile(path, forbiddenModeBits: 0o077)
        defer { Memory.wipe(&contents) }
        var secretLine: ArraySlice<UInt8>?
        var publicLine: ArraySlice<UInt8>?
        for line in contents.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            if trimmed.isEmpty || trimmed.first == UInt8(ascii: "#") { continue }
            if trimmed.starts(with: "secret: ".utf8), secretLine == nil {
                secretLine = trimmed.dropFirst(8)
            } else if trimmed.starts(with: "public: ".utf8), publicLine == nil {
                publicLine = trimmed.dropFirst(8)
            } else {
                throw malformed(path, "unexpected line")
            }
        }
        guard let secretLine, let publicLine else { throw malformed(path, "missing secret or public line") }
        guard var secret = Base32.decode(utf8: secretLine) else { throw malformed(path, "bad secret key") }
        defer { Memory.wipe(&secret) }
        guard let key = IdentityKey(secretKey: secret) else { throw malformed(path, "bad secret key") }
        guard key.publicKey.description.utf8.elementsEqual(publicLine) else {
            throw malformed(path, "public key does not match the secret key")
        }
        return key
    }

    /// A `.malformed` error naming the key file.
    private static func malformed(_ path: String, _ problem: String) -> AuthError {
        AuthError(.malformed, function: "identity key file", detail: "\(path): \(problem)")
    }
}
