import CubeCore
import Testing

/// The accepting side of a link (docs/network.md "Links"): a node that proved its key is a
/// neighbour only once its first message arrives, because the dialer checks this node's key
/// after `AUTH_TRUE` and sends nothing over a link it refuses.
@Suite struct AcceptedLinkTests {
    /// Stands in for the `c25519` handshake (the crypto lives in CubeAuth): `auth NODE` proves
    /// the key of the trusted node NODE.
    struct NodeProof: SecureHandshakeFactory, SecureHandshake {
        func start() -> any SecureHandshake { self }
        mutating func receive(_ line: [UInt8]) -> SecureHandshakeStep {
            let text = String(decoding: line, as: UTF8.self)
            guard text.hasPrefix("auth ") else { return .malformed }
            return .authenticatedNode(name: String(text.dropFirst(5)), keys: SecureChannelKeys(receive: [1], transmit: [2]))
        }
    }

    struct Acceptor {
        var router: Router
        var now = Timestamp(monotonic: 1_000_000_000, wall: 1_767_225_600)

        init() throws {
            let text = "node.name = n2\naccess.cmd.usr.* = **"
            let configuration = try CubeConfiguration.load(try ConfigFile.parse(text, file: "accept.conf"), owner: "root")
            router = Router(configuration: configuration, hasher: IdentityHasher(), secureLogin: NodeProof(),
                            network: NetworkSetup(signer: ToySigner(publicKey: ToyMAC.key(for: "n2")), verifier: ToyVerifier()),
                            seed: 5, now: now)
        }

        /// A TCP connection from n1 that proved n1's key: AUTH_TRUE sent, encryption switched on.
        mutating func provenDialer() throws -> SessionID {
            let (id, _) = router.connected(transport: .tcp, peer: nil, address: "192.0.2.1", now: now)
            #expect(sent(to: id, router.received(Array("select c25519\n".utf8), from: id, now: now)) == "TRUE continue\n")
            let actions = router.received(Array("auth n1\n".utf8), from: id, now: now)
            #expect(sent(to: id, actions) == "AUTH_TRUE =)\n")
            #expect(actions.contains { if case .encrypt(id, _) = $0 { true } else { false } })
            #expect(linkEvents(actions).isEmpty, "no link before the dialer speaks: \(actions)")
            return id
        }

        var neighbours: [String] { router.topology?.neighbours ?? [] }
    }

    @Test func theLinkOpensAtTheDialersFirstMessageAndThatMessageIsRead() throws {
        var acceptor = try Acceptor()
        let id = try acceptor.provenDialer()
        #expect(acceptor.neighbours.isEmpty)
        #expect(acceptor.router.linkSessions.isEmpty)
        #expect(acceptor.router.isLinked(to: "n1") == false)

        // The dialer accepted n2's key and speaks: a command in the same read runs as the link's.
        let actions = acceptor.router.received(Array("link-alive\n(7)n2.name\n".utf8), from: id, now: acceptor.now)
        #expect(linkEvents(actions) == ["n1 up"])
        #expect(acceptor.neighbours == ["n1"])
        #expect(acceptor.router.linkSessions["n1"] == [id])
        let toDialer = sent(to: id, actions)
        #expect(toDialer.contains("advert"), "n2 tells its new neighbour what it knows: \(toDialer)")
        #expect(toDialer.hasSuffix("(7)TRUE n2\n"), "\(toDialer)")
    }

    /// One neighbour holds at most 4 links (`NetworkState.linksPerNode`): a trusted node that
    /// keeps opening spares gets `!TERM!` for each one past them and takes no more sessions
    /// (a hostile tester opened 300).
    @Test func aNeighbourHoldsAtMostAFewLinks() throws {
        var acceptor = try Acceptor()
        var links: [SessionID] = []
        for _ in 0..<6 {
            let id = try acceptor.provenDialer()
            let actions = acceptor.router.received(Array("link-alive\n".utf8), from: id, now: acceptor.now)
            if actions.contains(where: { if case .close(id) = $0 { true } else { false } }) {
                #expect(sent(to: id, actions) == "!TERM! too many links from n1\n")
            } else {
                links.append(id)
            }
        }
        #expect(links.count == 4)  // NetworkState.linksPerNode
        #expect(acceptor.router.linkSessions["n1"] == links)
        #expect(acceptor.neighbours == ["n1"])
    }

    @Test func aDialerThatRefusesOurKeyNeverBecomesANeighbour() throws {
        var acceptor = try Acceptor()
        let id = try acceptor.provenDialer()
        // The dialer found n2's key untrusted and hung up without a word.
        let actions = acceptor.router.disconnected(id, now: acceptor.now)
        #expect(linkEvents(actions).isEmpty)
        #expect(acceptor.neighbours.isEmpty)
        #expect(acceptor.router.topology?.advert(of: "n2")?.neighbours.isEmpty ?? true)
        #expect(acceptor.router.topology?.reachableNodes == ["n2"], "alone, n2 still reaches itself")
    }

    @Test func aProvenDialerThatStaysSilentIsClosedAtTheLoginDeadline() throws {
        var acceptor = try Acceptor()
        let id = try acceptor.provenDialer()
        acceptor.now.monotonic += 18_000_000_000  // timeouts.login = 17
        acceptor.now.wall += 18
        let actions = acceptor.router.tick(now: acceptor.now)
        #expect(sent(to: id, actions) == ">:| timeout\n")
        #expect(actions.contains { if case .close(id) = $0 { true } else { false } })
        #expect(linkEvents(actions).isEmpty)
        #expect(acceptor.neighbours.isEmpty)
    }

    /// Both sides dialled: the second link is a spare, which sends no adverts; its dialer still
    /// speaks at once so that the far side opens it.
    @Test func aSpareLinkIsOpenedByItsDialersKeepAlive() throws {
        var net = SimulatedNetwork()
        try net.add("n1")
        try net.add("n2")
        net.link("n1", "n2")
        let address = try #require(PeerAddress("tcp:n2:2"))
        let (spare, actions) = net.routers["n1"]?.linkConnected(node: "n2", address: address, now: net.now) ?? (nil, [])
        let id = try #require(spare)
        #expect(sent(to: id, actions) == "link-alive\n")
    }
}

/// The link events among `actions`, as `<node> up|down`.
private func linkEvents(_ actions: [RouterAction]) -> [String] {
    actions.compactMap { action in
        if case .event(.link(let node, _, let up)) = action { return "\(node) \(up ? "up" : "down")" }
        return nil
    }
}
