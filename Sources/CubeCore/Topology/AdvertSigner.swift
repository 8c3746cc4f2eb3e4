/// Signs this node's adverts with its identity key. CubeCore holds no cryptography: the
/// daemon passes an implementation backed by CubeAuth (Ed25519), tests pass a fake.
package protocol AdvertSigner: Sendable {
    /// The signer's public identity key, base32 (what adverts carry as `key`).
    var publicKey: String { get }

    /// Signs `bytes` (an advert's ``LinkStateAdvert/signedBytes``).
    /// - Parameter bytes: the bytes to sign.
    /// - Returns: the signature.
    func sign(_ bytes: [UInt8]) -> [UInt8]
}

/// Checks advert signatures. Injected into ``Topology`` for the same reason as ``AdvertSigner``.
package protocol AdvertVerifier: Sendable {
    /// Whether `signature` is a valid signature of `bytes` by `key`.
    /// - Parameters:
    ///   - signature: the signature bytes as the advert carries them.
    ///   - bytes: the signed bytes (``LinkStateAdvert/signedBytes``).
    ///   - key: the signer's public identity key, base32; an implementation must answer
    ///     false (never trap) for a key that does not decode.
    /// - Returns: true only for a valid signature.
    func verify(_ signature: [UInt8], of bytes: [UInt8], by key: String) -> Bool
}
