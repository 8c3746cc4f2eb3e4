import CubeTestSupport

extension CubeProfile {
    /// The CubeZenkaTests cube: node `testcube` without a mount, `unix-root`, the test's own
    /// unix user and `caller` allowed everything, everyone else the basic commands.
    static let zenka = CubeProfile(
        baseConfiguration: """
            node.name = testcube
            mount.path =
            access.cmd.usr.unix-root = **
            access.cmd.usr.unix-<owner> = **
            access.cmd.usr.caller = **
            access.cmd.usr.* = heart whoami name commands list present ptl-ver size-unit exit close *.heart
            """,
        directoryPrefix: "cube-zenka")
}
