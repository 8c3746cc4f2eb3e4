import CSodium

/// Password hashing for the `pwd` login method (docs/protocol.md §3.2).
///
/// Stored hashes are libsodium `crypto_pwhash_str` strings (Argon2id), e.g. `$argon2id$v=19$m=…`.
package enum PasswordHash {
    /// Hashes a password with Argon2id at the "interactive" cost (about 64 MiB, a fraction of a second).
    /// - Parameter password: the password bytes (any bytes; not required to be UTF-8).
    /// - Returns: the self-describing `$argon2id$...` string to store in the configuration.
    /// - Throws: ``AuthError`` if libsodium fails, typically because the memory could not be allocated.
    package static func hash(_ password: [UInt8]) throws(AuthError) -> String {
        Sodium.initialize()
        var output = [CChar](repeating: 0, count: crypto_pwhash_strbytes())
        let result = withCChars(password) { pointer, count in
            crypto_pwhash_str(&output, pointer, UInt64(count),
                              UInt64(crypto_pwhash_opslimit_interactive()), crypto_pwhash_memlimit_interactive())
        }
        guard result == 0 else { throw AuthError(function: "crypto_pwhash_str", code: result) }
        // The output is NUL-terminated ASCII inside the buffer.
        let bytes = output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Checks a password against a stored hash string.
    /// - Parameters:
    ///   - password: the password bytes presented by the client.
    ///   - stored: the stored `crypto_pwhash_str` string.
    /// - Returns: true only if the hash is well formed and the password matches; false for a wrong
    ///   password, a malformed or unsupported string, or a libsodium failure.
    package static func verify(_ password: [UInt8], against stored: String) -> Bool {
        Sodium.initialize()
        // Reject before calling libsodium: its argument is a fixed-size buffer, and an embedded NUL
        // would make it verify a truncated string.
        guard looksLikeHash(stored), stored.utf8.count < crypto_pwhash_strbytes(),
              !stored.utf8.contains(0) else { return false }
        let result = withCChars(password) { pointer, count in
            crypto_pwhash_str_verify(stored, pointer, UInt64(count))
        }
        return result == 0
    }

    /// True if `s` looks like a libsodium Argon2 hash string (a cheap syntactic check, used to tell
    /// password hashes apart from other configuration values).
    /// - Parameter s: a configuration value.
    /// - Returns: whether `s` starts with `$argon2id$` or `$argon2i$`.
    package static func looksLikeHash(_ s: String) -> Bool {
        s.hasPrefix("$argon2id$") || s.hasPrefix("$argon2i$")
    }

    /// Lends `bytes` as the `const char *` libsodium's password functions take.
    private static func withCChars<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>, Int) -> R) -> R {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                // An empty array may have no storage, but libsodium still wants a valid pointer.
                guard let base = chars.baseAddress else { return "".withCString { body($0, 0) } }
                return body(base, chars.count)
            }
        }
    }
}
