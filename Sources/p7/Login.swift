import CubeAuth
import CubeClient
#if canImport(Glibc)
import Glibc
#endif

/// Connecting and logging in as p7's options say, shared by one-shot commands, the terminal,
/// `top` and `watch`.
enum Login {
    /// Connecting and logging in must finish within this; the cube itself gives up after 17 s.
    static let timeout: Duration = .seconds(30)

    /// Where `--callout` reads the credential: the environment, never the command line (which
    /// every local user can read in `ps`).
    static let credentialVariable = "P7_CREDENTIAL"

    /// Connects as the options say: `--key` logs in with `c25519` (over `--connect`, or the unix
    /// socket), `--callout` with `callout`, else the unix socket with the `unix` method.
    static func connect(_ invocation: Arguments.Invocation) throws(LoginFailure) -> P7Connection {
        let address: ClientAddress
        if let connect = invocation.connect, let parsed = ClientAddress(parsing: connect) {
            address = parsed
        } else {
            address = .unix(SocketPath.resolve(explicit: invocation.socketPath))
        }
        if let keyPath = invocation.keyPath {
            let login = SecureLogin(address: address, keyPath: keyPath, certificatePath: invocation.certificatePath,
                                    knownNodesPath: invocation.knownNodesPath ?? SecureLogin.defaultKnownNodesPath(),
                                    pin: invocation.pin,
                                    retiredGrace: invocation.retiredGrace ?? KeyRotation.retiredGraceSeconds)
            return try login.connect(timeout: timeout)
        }
        if let user = invocation.calloutUser {
            guard let raw = getenv(credentialVariable), raw.pointee != 0 else {
                throw LoginFailure("--callout needs the credential in $\(credentialVariable)")
            }
            do {
                let connection = try P7Connection(address: address, timeout: timeout)
                try connection.loginCallout(user: user, credential: String(cString: raw))
                return connection
            } catch {
                throw LoginFailure(error.description)
            }
        }
        do {
            let connection = try P7Connection(address: address, timeout: timeout)
            try connection.loginUnix(user: P7User.loginName())
            return connection
        } catch .loginFailed(let line) {
            // A unix login refused because the name p7 took from $USER is not the uid's.
            var message = ClientError.loginFailed(line).description
            let uid = UInt32(getuid())
            if let hint = P7User.mismatchHint(uid: uid, realName: OneShot.userName(of: uid)) {
                message += "\np7: " + hint
            }
            throw LoginFailure(message)
        } catch {
            throw LoginFailure(error.description)
        }
    }

    /// Connects and logs in for the interactive tools (terminal, `top`, `watch`), asking for
    /// byte counts as the one-shot p7 does; prints why not and returns nil if that fails.
    static func conversation(_ invocation: Arguments.Invocation) -> Conversation? {
        do {
            let connection = try connect(invocation)
            do {
                if !connection.isEncrypted { try connection.requestByteCounts() }
            } catch {
                connection.close()
                throw LoginFailure(error.description)
            }
            return Conversation(connection: connection)
        } catch {
            StandardStream.error.write("p7: \(error)\n")
            return nil
        }
    }
}
