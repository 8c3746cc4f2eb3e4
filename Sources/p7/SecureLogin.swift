#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CubeAuth
import CubeClient

/// Why p7 could not connect or log in; `description` is printed after `p7: ` (exit status 3).
struct LoginFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}

/// A `c25519` login with server-key pinning (docs/protocol.md §3.5).
///
/// The node's name in the known-nodes file is the address as p7 writes it back
/// (``ClientAddress/description``): `tcp:HOST:PORT`, `tcp:[v6-address]:PORT` or `unix:PATH`,
/// exactly as given, so `tcp:localhost:7070` and `tcp:127.0.0.1:7070` are two entries, like
/// host names in ssh's known_hosts. A node that is not listed is refused before anything is
/// sent unless `--pin` is given; then the key it proves in the handshake is recorded. A listed
/// node that presents another key is always refused, naming both keys.
struct SecureLogin {
    let address: ClientAddress
    let keyPath: String
    /// `--cert FILE`: a key certificate for the key, sent as `cert …` before `hello`.
    var certificatePath: String?
    let knownNodesPath: String
    let pin: Bool
    /// How long after a followed rotation's issued time the retired key is still accepted
    /// (`--retired-grace`; one day, the nodes' default, without it).
    var retiredGrace: Int64 = KeyRotation.retiredGraceSeconds

    /// `$HOME/.config/protocol-7/known-nodes` (home from `$HOME`, else the password database).
    static func defaultKnownNodesPath() -> String {
        var home = getenv("HOME").map { String(cString: $0) } ?? ""
        if home.isEmpty, let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir {
            home = String(cString: directory)
        }
        if home.isEmpty { home = "/" }
        return (home.hasSuffix("/") ? home : home + "/") + ".config/protocol-7/known-nodes"
    }

    /// Loads the key and the known-nodes file, connects, logs in, and pins on first use.
    func connect(timeout: Duration) throws(LoginFailure) -> P7Connection {
        let identity: IdentityKey
        do {
            identity = try IdentityKey.read(from: keyPath)
        } catch {
            throw LoginFailure("cannot load the key \(keyPath): \(error)")
        }
        var certificate: KeyCertificate?
        if let certificatePath {
            do {
                certificate = try KeyCertificate.read(from: certificatePath)
            } catch {
                throw LoginFailure("cannot load the certificate \(certificatePath): \(error)")
            }
            if let certificate, certificate.key != identity.publicKey {
                throw LoginFailure("the certificate \(certificatePath) is for key \(certificate.key), "
                                   + "not for the key \(identity.publicKey) in \(keyPath)")
            }
        }
        var known: KnownNodes
        do {
            known = try KnownNodes.read(from: knownNodesPath)
        } catch {
            throw LoginFailure("cannot read the known-nodes file: \(error)")
        }
        let node = address.description
        guard KnownNodes.isValidName(node) else {
            throw LoginFailure("\(node) cannot be recorded in a known-nodes file (spaces, '#' or control characters)")
        }
        let pinned = known.key(for: node)
        if pinned == nil && !pin {
            throw LoginFailure(
                "\(node) is not a known node (no entry in \(knownNodesPath)); refusing to connect. "
                    + "Add the line '\(node) <node-public-key>' (the key printed by `cube keygen` on the node), "
                    + "or run again with --pin to trust the key the node presents")
        }
        var connection: P7Connection
        var server: PublicKey
        do {
            connection = try P7Connection(address: address, timeout: timeout)
            server = try connection.loginC25519(identity: identity, expectedServer: pinned, certificate: certificate?.text)
        } catch .serverKeyChanged(let expected, let got) {
            // Accepted only on the old key's signed word (docs/security.md, "Node key rotation"),
            // and, for a day after a rotation followed here, the retired key.
            if !acceptRetired(node: node, presented: got, pinned: expected),
               let refusal = acceptRotation(node: node, from: expected, to: got, known: &known, timeout: timeout) {
                throw LoginFailure(
                    "the key of \(node) changed: \(knownNodesPath) pins \(expected), the node presented \(got), "
                        + "and \(refusal); refusing to connect (someone may be intercepting the connection; if the "
                        + "node's key was really replaced, edit its line in \(knownNodesPath))")
            }
            do {
                connection = try P7Connection(address: address, timeout: timeout)
                server = try connection.loginC25519(identity: identity, expectedServer: got, certificate: certificate?.text)
            } catch {
                throw LoginFailure("\(node): \(error)")
            }
        } catch {
            throw LoginFailure("\(node): \(error)")
        }
        if pinned == nil {
            known.pin(node: node, key: server)
            do {
                try Self.makeParentDirectory(of: knownNodesPath)
                try known.write(to: knownNodesPath)
            } catch {
                connection.close()
                throw LoginFailure("cannot record the key of \(node) in \(knownNodesPath): \(error)")
            }
            StandardStream.error.write("p7: pinned \(node) as \(server) in \(knownNodesPath)\n")
        }
        return connection
    }

    /// Fetches the node's rotation statement and, when it proves that the pinned key `old`
    /// handed over to `new` within the grace period, re-pins the node to `new`.
    /// - Returns: nil when re-pinned, else why the change is not accepted.
    private func acceptRotation(node: String, from old: PublicKey, to new: PublicKey, known: inout KnownNodes,
                                timeout: Duration) -> String? {
        let text: String?
        do {
            text = try P7Connection(address: address, timeout: timeout).fetchRotation()
        } catch {
            return "asking it for a key rotation failed: \(error)"
        }
        guard let text else { return "it announces no key rotation" }
        guard let rotation = KeyRotation(text: text) else { return "its key rotation statement is malformed" }
        if let problem = rotation.verify(pinned: old, presented: new, now: Int64(time(nil))) { return problem }
        known.pin(node: node, key: new)
        do {
            try known.write(to: knownNodesPath)
        } catch {
            return "recording the new key in \(knownNodesPath) failed: \(error)"
        }
        // Kept so that the retired key is still accepted within its grace; without it only the
        // new key is, which is safe, so a failure is only reported.
        let retiredPath = RetiredNodeKeys.path(besideKnownNodes: knownNodesPath)
        do {
            var retired = try RetiredNodeKeys.read(from: retiredPath)
            retired.record(node: node, rotation)
            try retired.write(to: retiredPath)
        } catch {
            StandardStream.error.write("p7: cannot record the rotation in \(retiredPath): \(error)\n")
        }
        StandardStream.error.write("p7: \(node) rotated its key from \(old) to \(new) (signed by the old key); "
                                   + "updated \(knownNodesPath)\n")
        return nil
    }

    /// Whether `presented` is the key `node` retired in a rotation followed here (recorded beside
    /// the known-nodes file) whose grace lasts; says so on stderr when it is.
    private func acceptRetired(node: String, presented: PublicKey, pinned: PublicKey) -> Bool {
        let path = RetiredNodeKeys.path(besideKnownNodes: knownNodesPath)
        guard let retired = try? RetiredNodeKeys.read(from: path),
              let rotation = retired.retired(node: node, presented: presented, pinned: pinned, now: Int64(time(nil)),
                                             grace: retiredGrace)
        else { return false }
        StandardStream.error.write("p7: \(node) presented its retired key \(presented) (rotated to \(pinned) at "
                                   + "\(rotation.issued)); accepted within the grace of "
                                   + "\(retiredGrace % 3_600 == 0 ? "\(retiredGrace / 3_600) h" : "\(retiredGrace) s") after the rotation\n")
        return true
    }

    /// Creates the missing directories above `path` (mode 0700, like `~/.config`).
    static func makeParentDirectory(of path: String) throws(LoginFailure) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let directory = String(path[..<slash])
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw LoginFailure("cannot create \(prefix): \(String(cString: strerror(errno)))")
            }
        }
    }
}
