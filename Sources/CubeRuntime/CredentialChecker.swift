import CubeCore

/// Checks the credentials of one auth method off the router's thread (a method whose
/// verdict is ``AuthVerdict/check(_:)``; docs/architecture.md "Adding an auth method").
package struct CredentialChecker: Sendable {
    /// Checks that may run at once; each runs on a thread of its own, origins take turns.
    package var width: Int
    /// Decides one check; may block (it runs on a worker thread).
    package var check: @Sendable (CredentialCheck) -> CheckVerdict

    package init(width: Int, check: @escaping @Sendable (CredentialCheck) -> CheckVerdict) {
        self.width = width
        self.check = check
    }
}
