/// What a test suite's ``CubeProcess`` starts from: the configuration every cube of the suite
/// shares and the prefix of its temporary directory.
public struct CubeProfile: Sendable {
    /// The `cube.conf` lines written before the per-test `extraConfiguration`.
    public var baseConfiguration: String
    /// The prefix of the temporary directory (`<prefix>-<8 hex>`) that holds config and socket.
    public var directoryPrefix: String

    /// A profile from its base configuration and directory prefix.
    public init(baseConfiguration: String, directoryPrefix: String) {
        self.baseConfiguration = baseConfiguration
        self.directoryPrefix = directoryPrefix
    }

    /// The CubeLiveTests cube: node `testcube`, `taeki` set up for unix root, `unix-root` and
    /// `taeki` allowed everything, everyone else the basic commands.
    public static let live = CubeProfile(
        baseConfiguration: """
            node.name = testcube
            auth.setup.usr.taeki = :unix:root
            access.cmd.usr.unix-root = **
            access.cmd.usr.taeki = **
            access.cmd.usr.* = heart whoami name commands list present ptl-ver size-unit exit close *.heart
            """,
        directoryPrefix: "cube-live")
}
