/// The table of auth methods the cube implements (docs/protocol.md §3). `auth.methods`
/// chooses among them; `list`, `select` and the credential line are served from here.
/// A new method is one type and one entry below (docs/architecture.md).
package enum AuthMethods {
    /// Every method, by name.
    static let all: [String: any AuthMethod] = Dictionary(uniqueKeysWithValues: registered.map { ($0.name, $0) })

    private static let registered: [any AuthMethod] = [
        C25519Method(), ZenkaMethod(), UnixMethod(), PasswordMethod(), CalloutMethod(),
    ]

    /// The names `auth.methods` accepts.
    package static var names: Set<String> { Set(all.keys) }

    /// The method called `name`, if the cube implements it.
    package static func named(_ name: String) -> (any AuthMethod)? { all[name] }
}
