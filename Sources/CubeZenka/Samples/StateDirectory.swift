/// Where a sample zenka keeps data that must outlive it (the storage sample's blobs), when
/// no directory is given on its command line (docs/zenki.md, "Samples").
///
/// A fixed `/var/lib/protocol-7` failed for every user but root; this follows the usual
/// places instead: systemd's `StateDirectory=` for the installed service, `/var/lib` for
/// root, the XDG state directory for anyone else.
public enum StateDirectory {
    /// `<state>/protocol-7/<name>`, `<state>` being the first of:
    /// `$STATE_DIRECTORY` (set by systemd; the first of its colon-separated entries, used
    /// as is, without `protocol-7/`), `/var/lib` for uid 0, `$XDG_STATE_HOME`, and
    /// `$HOME/.local/state`. `nil` when none applies (no `HOME` for a non-root user).
    public static func path(for name: String, environment: [String: String], userID: UInt32) -> String? {
        if let systemd = environment["STATE_DIRECTORY"]?.split(separator: ":").first, systemd.hasPrefix("/") {
            return "\(systemd)/\(name)"
        }
        if userID == 0 { return "/var/lib/protocol-7/\(name)" }
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return "\(xdg)/protocol-7/\(name)" }
        if let home = environment["HOME"], home.hasPrefix("/") { return "\(home)/.local/state/protocol-7/\(name)" }
        return nil
    }
}
