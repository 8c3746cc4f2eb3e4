/// Who may run a command under the default configuration (`access.cmd.usr.*` in
/// configuration/cube.conf and `cube default-config`; docs/security.md). The configured access
/// rules decide (docs/protocol.md §3.4); this documents the default next to each command, and
/// a test checks the two agree.
public enum CommandAccess: Sendable, Equatable {
    /// In the default `access.cmd.usr.*`: every user who logged in.
    case everyone
    /// Only users given it, as the admins are by `**`.
    case granted
}
