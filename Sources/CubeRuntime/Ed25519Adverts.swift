import CubeAuth
import CubeCore

/// Signs this node's link-state adverts with its Ed25519 identity key.
package struct IdentityAdvertSigner: AdvertSigner {
    let identity: IdentityKey

    /// - Parameter identity: this node's identity key.
    package init(identity: IdentityKey) { self.identity = identity }

    package var publicKey: String { identity.publicKey.description }

    package func sign(_ bytes: [UInt8]) -> [UInt8] { identity.sign(bytes) }
}

/// Checks advert signatures with the Ed25519 key each advert carries (base32).
package struct Ed25519AdvertVerifier: AdvertVerifier {
    package init() {}

    package func verify(_ signature: [UInt8], of bytes: [UInt8], by key: String) -> Bool {
        // A key that does not decode is a forged or broken advert, never a reason to trap.
        guard let publicKey = PublicKey(base32: key) else { return false }
        return publicKey.verify(signature, of: bytes)
    }
}
