/// `callout`: the user name and credential go to an external program, which accepts or
/// refuses them (docs/protocol.md §3.7, a Swift-only extension). Credential line
/// `auth <name> <credential>`, shaped like `pwd`'s. Offered when `auth.callout.program` is
/// set, on the unix socket, and on TCP only with `auth.callout.tcp = yes`.
struct CalloutMethod: AuthMethod {
    let name = "callout"

    func isOffered(in context: AuthContext) -> Bool {
        let callout = context.configuration.callout
        guard callout.program != nil else { return false }
        return Self.isLocal(context.transport) || callout.overTCP
    }

    func credential(_ line: [UInt8], in context: inout AuthContext) -> AuthVerdict {
        guard let (user, credential) = PasswordMethod.userAndSecret(line) else { return .malformed }
        let callout = context.configuration.callout
        guard let program = callout.program else { return .refused(user: user, reason: "no callout program") }
        return .check(CredentialCheck(method: name, user: user, secret: credential, reference: program,
                                      timeoutSeconds: callout.timeoutSeconds))
    }
}
