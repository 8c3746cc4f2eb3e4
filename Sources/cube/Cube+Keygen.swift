import ArgumentParser
import CubeAuth

extension Cube {
    /// Creates an Ed25519 identity key (for the node, or for a client of `c25519`).
    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an identity key file (mode 0600); prints its public key.",
            discussion: "Refuses to overwrite an existing file. Give the public key to the other side: a node "
                + "lists client keys in its authorized-keys file, a client pins the node key in its known-nodes file.")

        @Option(name: .long, help: "The key file to create.")
        var out: String

        func run() throws {
            let key = IdentityKey.generate()
            try key.write(to: out, overwrite: false)
            print(key.publicKey)
        }
    }
}
