import ArgumentParser
import CubeAuth
#if canImport(Glibc)
import Glibc
#endif

extension Cube {
    /// Creates an Ed25519 identity key (for the node, or for a client of `c25519`).
    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an identity key file (mode 0600); prints its public key.",
            discussion: "Refuses to overwrite an existing file. Give the public key to the other side: a node "
                + "lists client keys in its authorized-keys file, a client pins the node key in its known-nodes file. "
                + "With --rotate OLD, also writes OUT.rotation: the new key signed by the old one, which pinned "
                + "clients accept for 30 days (docs/security.md, \"Node key rotation\").")

        @Option(name: .long, help: "The key file to create.")
        var out: String

        @Option(name: .long, help: "The node's current key file: sign the move from it to the new key.")
        var rotate: String?

        func run() throws {
            let old = try rotate.map { path throws(AuthError) in try IdentityKey.read(from: path) }
            let key = IdentityKey.generate()
            try key.write(to: out, overwrite: false)
            print(key.publicKey)
            if let old {
                let statement = KeyRotation.issue(from: old, to: key.publicKey, issued: Int64(time(nil)))
                let path = out + ".rotation"
                guard let file = fopen(path, "wx") else { throw ValidationError("cannot create \(path): \(String(cString: strerror(errno)))") }
                fputs(statement.text + "\n", file)
                fclose(file)
                print("rotation: \(path) (set auth.c25519.identity = \(out) and auth.c25519.rotation = \(path))")
            }
        }
    }
}
