import CubeClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a ``Zenka`` connects and how it logs in.
///
/// Built from the manager's environment with ``fromEnvironment(defaultName:)`` (what
/// `Zenka(name:)` does), or given explicitly for a zenka run by hand with
/// ``init(socketPath:name:key:keyFile:unixUser:)``.
///
/// Login order on every (re)connect: method `c25519` with ``identityKeyPath`` (and the
/// certificate in ``certificatePath``, if any) when an identity is set; else the one-time
/// ``key`` if it was not used yet, else a key read fresh from ``keyFile``, else method
/// `callout` as ``calloutUser`` with ``credential`` (docs/protocol.md §3.7), else method
/// `unix` as ``unixUser`` (docs/protocol.md §3.1, §3.5).
public struct ZenkaSettings: Sendable, Equatable {
    /// The environment variable holding the zenka's name, optionally `name[sub]`.
    public static let nameVariable = "PROTOCOL_7_ZENKA_NAME"
    /// The environment variable holding a one-time session key (method `zenka`).
    public static let keyVariable = "PROTOCOL_7_ZENKA_KEY"
    /// The environment variable naming a file that holds a fresh one-time key for each login.
    public static let keyFileVariable = "PROTOCOL_7_ZENKA_KEY_FILE"
    /// The environment variable naming the user for the `unix` login fallback.
    public static let unixUserVariable = "PROTOCOL_7_ZENKA_UNIX_USER"
    /// The environment variable naming the user for a `callout` login.
    public static let calloutUserVariable = "PROTOCOL_7_ZENKA_CALLOUT_USER"
    /// The environment variable holding the credential for a `callout` login.
    public static let credentialVariable = "PROTOCOL_7_ZENKA_CREDENTIAL"
    /// The environment variable with an address to connect to instead of the unix socket
    /// (`tcp:HOST:PORT` or `unix:PATH`).
    public static let connectVariable = "PROTOCOL_7_CONNECT"

    /// The environment variable naming an identity key file: log in with `c25519`.
    public static let identityVariable = "PROTOCOL_7_ZENKA_IDENTITY"
    /// The environment variable naming a key certificate file for that identity.
    public static let certificateVariable = "PROTOCOL_7_ZENKA_CERT"

    /// The cube's unix socket path.
    public var socketPath: String
    /// An identity key file (mode 0600, `cube keygen`): every login uses `c25519` with it.
    public var identityKeyPath: String?
    /// A key certificate for that identity (`set-client-key`, `cube cert sign`): the zenka
    /// logs in as the certified name, presented before the handshake.
    public var certificatePath: String?
    /// Where to connect instead of ``socketPath``: over TCP the cube offers no `unix` or
    /// `zenka` login, so a zenka there logs in with `callout`.
    public var address: ClientAddress?
    /// The zenka name, `name` or `name[sub]`; commands reach it as `name.<command>`.
    public var name: String
    /// A one-time session key registered with `session-key` (used for the first login only).
    public var key: String?
    /// A file whose first line is a one-time key, re-read before every login that has no unused ``key``.
    public var keyFile: String?
    /// The name for method `unix` when no key is available: the zenka's own name (needs
    /// `auth.setup.usr.<name> = :unix:<user>`) or `unix-<user>`. Nil disables the fallback.
    public var unixUser: String?
    /// The user for a `callout` login (with ``credential``); nil = no `callout` login.
    public var calloutUser: String?
    /// The credential the cube's callout checker judges; never logged.
    public var credential: String?
    /// The first reconnect delay; doubled after every failed attempt.
    public var initialBackoff: Duration = .milliseconds(200)
    /// The longest reconnect delay.
    public var maximumBackoff: Duration = .seconds(10)

    /// Explicit settings.
    /// - Parameters:
    ///   - socketPath: the cube's unix socket.
    ///   - name: the zenka name, optionally `name[sub]`.
    ///   - key: a one-time session key, if any.
    ///   - keyFile: a file holding fresh one-time keys, if any.
    ///   - unixUser: the name for the `unix` login fallback; by default the zenka's base name.
    public init(socketPath: String, name: String, key: String? = nil, keyFile: String? = nil, unixUser: String? = nil) {
        self.socketPath = socketPath
        self.name = name
        self.key = key
        self.keyFile = keyFile
        self.unixUser = unixUser ?? Self.baseName(of: name)
    }

    /// Settings from the variables the manager sets (see ``Zenka``):
    /// `PROTOCOL_7_UNIX_PATH`, `PROTOCOL_7_ZENKA_NAME`, `PROTOCOL_7_ZENKA_KEY`,
    /// `PROTOCOL_7_ZENKA_KEY_FILE`, `PROTOCOL_7_ZENKA_UNIX_USER`, `PROTOCOL_7_ZENKA_CALLOUT_USER`,
    /// `PROTOCOL_7_ZENKA_CREDENTIAL`, `PROTOCOL_7_CONNECT`, `PROTOCOL_7_ZENKA_IDENTITY` and
    /// `PROTOCOL_7_ZENKA_CERT`. Empty values count as absent.
    /// - Parameter defaultName: the name used when `PROTOCOL_7_ZENKA_NAME` is not set.
    /// - Returns: the settings.
    public static func fromEnvironment(defaultName: String) -> ZenkaSettings {
        fromEnvironment(defaultName: defaultName) { variable in
            guard let raw = getenv(variable) else { return nil }
            return String(cString: raw)
        }
    }

    /// Like ``fromEnvironment(defaultName:)``, reading variables through `environment` (for tests).
    /// - Parameters:
    ///   - defaultName: the name used when `PROTOCOL_7_ZENKA_NAME` is not set.
    ///   - environment: looks up a variable by name.
    /// - Returns: the settings.
    public static func fromEnvironment(defaultName: String, environment: (String) -> String?) -> ZenkaSettings {
        func value(_ variable: String) -> String? {
            guard let text = environment(variable), !text.isEmpty else { return nil }
            return text
        }
        let socket = SocketPath.resolve(explicit: nil, environment: environment)
        var settings = ZenkaSettings(socketPath: socket, name: value(nameVariable) ?? defaultName,
                                     key: value(keyVariable), keyFile: value(keyFileVariable),
                                     unixUser: value(unixUserVariable))
        settings.address = value(connectVariable).flatMap(ClientAddress.init(parsing:))
        settings.calloutUser = value(calloutUserVariable)
        settings.credential = value(credentialVariable)
        settings.identityKeyPath = value(identityVariable)
        settings.certificatePath = value(certificateVariable)
        return settings
    }

    /// Where the zenka connects: ``address``, else the unix socket ``socketPath``.
    public var connectAddress: ClientAddress { address ?? .unix(socketPath) }

    /// `name` without a `[sub]` suffix.
    static func baseName(of name: String) -> String {
        guard let open = name.firstIndex(of: "[") else { return name }
        return String(name[..<open])
    }
}
