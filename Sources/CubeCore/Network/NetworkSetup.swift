/// What a router needs to take part in a network of cubes (docs/protocol.md §8.3): the means to sign
/// its own adverts and check everyone else's. CubeCore holds no cryptography; the daemon
/// passes Ed25519 implementations, tests pass fakes.
package struct NetworkSetup: Sendable {
    /// Signs this node's adverts; its public key is the node's identity.
    package let signer: any AdvertSigner
    /// Checks the signatures of other nodes' adverts.
    package let verifier: any AdvertVerifier
    /// Origin → key pinned by an earlier run (trust on first use survives restarts).
    package let pinnedKeys: [String: String]
    /// The proof that this node's key replaced an earlier one (`auth.c25519.rotation`),
    /// given to every neighbour when its link comes up.
    package var rotation: NodeKeyRotation?

    /// - Parameters:
    ///   - signer: signs this node's adverts.
    ///   - verifier: checks other nodes' advert signatures.
    ///   - pinnedKeys: keys pinned by an earlier run.
    package init(signer: any AdvertSigner, verifier: any AdvertVerifier, pinnedKeys: [String: String] = [:]) {
        self.signer = signer
        self.verifier = verifier
        self.pinnedKeys = pinnedKeys
    }
}
