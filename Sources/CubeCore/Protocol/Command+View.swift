extension Command {
    /// The command as a ``CommandView`` (its arrays are shared, not copied), for the paths
    /// that take commands read in place.
    var view: CommandView { CommandView(id: id, path: path[...], args: args?[...], multiline: multiline) }
}
