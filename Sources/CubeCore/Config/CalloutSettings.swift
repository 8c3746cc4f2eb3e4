/// The `callout` auth method's settings (`auth.callout.*`, docs/configuration.md): the
/// external program that judges user names and credentials (docs/protocol.md §3.7).
package struct CalloutSettings: Equatable, Sendable {
    /// The checker's absolute path (`auth.callout.program`); nil = `callout` is not offered.
    package var program: String?
    /// Seconds one check may take before the program is killed and the login refused.
    package var timeoutSeconds = 5
    /// Checks that run at once (each a process); more wait, origins taking turns.
    package var concurrency = 2
    /// Whether `callout` is offered on TCP too (`auth.callout.tcp`): the credential then
    /// crosses the network in clear (docs/security.md).
    package var overTCP = false

    package init() {}
}
