/// Router-side state of one connection or in-process session.
///
/// A class on purpose: the router reads a field or two of a session for every message, and
/// a struct in a dictionary is copied whole by every read (`sessions[id]?.user` copies the
/// session, retaining each of its buffers). Sessions are owned by one ``Router`` and reached
/// only through it; the router's owner serializes every call (one lock), which is what makes
/// the unchecked `Sendable` sound. Never share a session between routers.
final class Session: @unchecked Sendable {
    /// Indirect: the login states are large (a handshake, a method) and a logged-in session
    /// keeps only `.active`, so the payloads live in a box while they exist instead of inline
    /// in every session (docs/performance.md "Idle memory per session").
    indirect enum Phase: Sendable {
        /// Pre-auth lines (docs/protocol.md §3).
        case login(LoginState)
        /// A credential is being checked off the router's thread (``AuthVerdict/check(_:)``);
        /// input waits in the decoder.
        case verifying(LoginState, user: String)
        /// The `c25519` handshake is running.
        case secureLogin(LoginState, any SecureHandshake)
        /// A node proved its key to this side (`AUTH_TRUE` sent) but has not yet checked ours:
        /// the link opens at its first message, which it sends only once it accepted this node
        /// (docs/network.md "Links"). Until then the node is no neighbour here.
        case linkPending(LinkInfo)
        /// Logged in: commands and replies.
        case active
    }

    let id: SessionID
    let transport: Transport
    let peer: PeerIdentity?
    /// Where failed logins are counted; nil for sessions inside the process.
    let origin: Origin?
    let since: Timestamp
    var phase: Phase
    var decoder: FrameDecoder
    var user: String?
    var subname: String?
    /// What the session is once logged in (decides what the method name used to).
    var kind = SessionKind.inProcess
    /// Set by `set-initialized` (zenka sessions start unset, others set): a second call answers
    /// `FALSE was already initialized`, as the original does (auth-zenka-manager.txt).
    var initialized = false
    /// Prefix set by `select`, applied to later commands.
    var basePath: [UInt8]?
    /// Routes this session started.
    var sourceRoutes = RouteSlotSet()
    /// Routes sent to this session, by the id the cube chose for it.
    var targetRoutes = RouteIndex()
    /// Set when the session is a link to another node (docs/protocol.md §8.3).
    var link: LinkInfo? {
        get { linkBox?.info }
        set { linkBox = newValue.map(LinkBox.init) }
    }
    /// Whether ``link`` is set, without copying it (asked for every message).
    var isLink: Bool { linkBox != nil }
    /// ``link`` boxed: few sessions are links, and inline it would take its size in every one.
    private var linkBox: LinkBox?
    /// When a link last received anything (monotonic ns): silent links are closed.
    var lastHeard: UInt64 = 0
    /// Set once the session made an offer / had a command queued for an on-demand zenka:
    /// closing a session scans the offers and queues only then, so closing many sessions at
    /// once costs constant time each (docs/security.md "Resource limits").
    var hasOffered = false
    /// The memory account of the session's user (set at login) and the bytes of buffered
    /// input charged to it now (docs/security.md "Resource limits").
    var account: MemoryAccount?
    var chargedInput = 0
    /// Bytes of commands sent to this session whose routes are still open: a zenka that
    /// reads slowly is not sent more than half of `limits.output-queue` of them (others get
    /// `FALSE target busy`), so nobody can make the cube drop it for not reading.
    var unansweredBytes = 0
    /// Complete messages wait for the session's next turn (``Router/turnBudget``).
    var hasBacklog = false
    /// Set once the session had a command queued for an on-demand zenka (docs/protocol.md §6):
    /// closing it scans the on-demand queues only then. A balanced zenka's queue counts its
    /// senders itself (``PoolTable/holdsQueued(by:)``, docs/pooling.md "Queue").
    var hasQueued = false
    /// The user's counters as a target of routed commands; set by the first command it receives.
    var counters: TargetCounters?
    /// Set while the session watches traffic (`watch`): leaving ends the watch.
    var isWatching = false
    /// Set when the router dropped the session; a loop holding it stops there.
    var isGone = false
    /// An in-process session that takes typed messages (``RouterAction/deliver(_:_:)``) and
    /// submits typed commands: the mount's and the manager's.
    var isDoor = false
    /// Set when the peer shut down its side for writing (it sends nothing more): the session
    /// closes once what it asked is answered (Router+InputEnd, docs/protocol.md §7).
    var inputEnded = false
    /// Set when the session, its input ended with answers still to come, left the directory:
    /// it is reached by nothing and only receives those answers (Router+InputEnd).
    var withdrawn = false
    /// Bytes of replies to pre-auth lines sent so far (``LoginState/outputLimit``).
    var preLoginOutput: UInt32 = 0
    /// `reload` commands of this session the owner has not answered yet.
    var pendingReloads: UInt32 = 0

    init(id: SessionID, transport: Transport, peer: PeerIdentity?, origin: Origin?, since: Timestamp, phase: Phase,
         decoder: FrameDecoder) {
        self.id = id
        self.transport = transport
        self.peer = peer
        self.origin = origin
        self.since = since
        self.phase = phase
        self.decoder = decoder
    }

    /// How the session logged in, as shown to people (`list sessions`, the mount); nil
    /// before login.
    var authLabel: String? { isActive ? kind.label(on: transport) : nil }

    var isActive: Bool {
        if case .active = phase { return true }
        return false
    }

    /// Whether commands may be sent to the session: logged in and not withdrawn at the end of
    /// its input (Router+InputEnd).
    var isReachable: Bool { isActive && !withdrawn }
}

/// A link's description, held by reference (``Session/link``).
private final class LinkBox {
    let info: LinkInfo

    init(_ info: LinkInfo) {
        self.info = info
    }
}
