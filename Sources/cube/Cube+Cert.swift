import ArgumentParser
import CubeAuth
import CubeCore
#if canImport(Glibc)
import Glibc
#endif

extension Cube {
    /// Key certificates ("virtual keys", docs/security.md) made and read offline.
    struct Cert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign or inspect key certificates offline.",
            subcommands: [Sign.self, Show.self])

        /// `cube cert sign`: what `set-client-key` does, with the node's key file instead of a
        /// running cube (for an admin who keeps the node key offline).
        struct Sign: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Sign a user's public key for a name; prints the one-line certificate.",
                discussion: "The user presents it with `p7 --key FILE --cert CERTFILE`. Nodes accept it when "
                    + "the signing key is theirs or a trusted signer scoped to the name.")

            @Option(name: .long, help: "The signing node's identity key file (mode 0600).")
            var key: String

            @Option(name: .long, help: "The user name the certificate gives.")
            var name: String

            @Option(name: .long, help: "Days until it expires (1...3650).")
            var days: Int64 = 30

            @Argument(help: "The user's public key (base32, as `cube keygen` printed it).")
            var userKey: String

            func validate() throws {
                guard UserName.isValid(name) else { throw ValidationError("'\(name)' is not a valid user name") }
                guard (1...3650).contains(days) else { throw ValidationError("--days must be 1...3650") }
                guard PublicKey(base32: userKey) != nil else { throw ValidationError("'\(userKey)' is not a base32 public key") }
            }

            func run() throws {
                guard let user = PublicKey(base32: userKey) else { throw ValidationError("not a public key") }
                let signer = try IdentityKey.read(from: key)
                let expires = Int64(time(nil)) + days * 86_400
                print(KeyCertificate.issue(for: user, name: name, expires: expires, by: signer).text)
            }
        }

        /// `cube cert show FILE`: the fields and the id `revoke` takes.
        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print a certificate's fields and its id.")

            @Argument(help: "The certificate file.")
            var file: String

            func run() throws {
                let certificate = try KeyCertificate.read(from: file)
                print("id: \(certificate.id)")
                print("name: \(certificate.name)")
                print("key: \(certificate.key)")
                print("expires: \(certificate.expires)")
                print("signer: \(certificate.signer)")
            }
        }
    }
}
