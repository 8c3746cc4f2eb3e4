import CSodium

/// One-time initialisation of libsodium.
///
/// Every public entry point of `CubeAuth` calls ``initialize()`` itself, so callers never
/// have to; calling it early (e.g. at start-up) only moves the one-time cost.
package enum Sodium {
    /// The result of the single `sodium_init()` call. A `static let` is initialised exactly
    /// once under the runtime's once-lock, which makes ``initialize()`` thread-safe without
    /// taking libsodium's own mutex on every call.
    private static let initResult: Int32 = sodium_init()

    /// Initialises libsodium. Idempotent and safe to call from any thread.
    ///
    /// `sodium_init` only fails when the system offers no randomness source; without one no
    /// key or session key could be generated safely, so that is treated as fatal.
    package static func initialize() {
        // sodium_init returns 0 on first success, 1 if already initialised, -1 on failure.
        guard initResult >= 0 else {
            preconditionFailure("sodium_init failed: no usable randomness source")
        }
    }
}
