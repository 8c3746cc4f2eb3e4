import CubeCore
import Testing

/// Replays a ``Transcript`` against a real ``Router`` and checks every expectation.
struct TranscriptRunner {
    private var router: Router
    private var now = Timestamp(monotonic: 1_000_000_000_000, wall: 1_795_000_000)
    private var names: [String: SessionID] = [:]
    private var pending: [SessionID: [UInt8]] = [:]
    private var closed: Set<SessionID> = []
    private var passwords: [SessionID: ([UInt8], String)] = [:]
    private var starts: [String] = []
    private var encrypted: Set<SessionID> = []
    private var captures: [String: String] = [:]
    /// `reload` commands waiting for their answer (session, command id).
    private var reloads: [(SessionID, UInt64)] = []
    /// The configuration entries in force, for `reconfigure`.
    private var entries: [ConfigEntry]
    /// What the last `reconfigure` reported: all of it (what `reloaded` answers), and the
    /// lines `report` steps have not checked yet.
    private var lastReport: [String] = []
    private var report: [String] = []
    private let transcript: String

    init(_ transcript: Transcript) throws {
        self.transcript = transcript.name
        var config = transcriptBaseConfiguration
        for line in transcript.text.split(separator: "\n") where line.hasPrefix("config ") {
            config += "\n" + line.dropFirst("config ".count)
        }
        entries = try ConfigFile.parse(config, file: transcript.name)
        let configuration = try CubeConfiguration.load(entries, owner: "root")
        let secure = transcript.text.split(separator: "\n").contains("secure-login fake")
        router = Router(configuration: configuration, hasher: IdentityHasher(),
                        secureLogin: secure ? FakeSecureLogin() : nil, seed: 7, now: now)
    }

    mutating func run(_ text: String) throws {
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("config ") || line == "secure-login fake" { continue }
            try step(line, at: SourceLocation(fileID: "CubeCoreTests/\(transcript)", filePath: "Tests/CubeCoreTests/Transcripts/\(transcript)", line: index + 1, column: 1))
        }
    }

    private mutating func step(_ line: String, at location: SourceLocation) throws {
        let words = line.split(separator: " ", maxSplits: 1).map(String.init)
        let head = words[0]
        if head.hasSuffix(">") || head.hasSuffix("<") {
            let session = try session(String(head.dropLast()), location)
            let payload = words.count > 1 ? words[1] : ""
            if head.hasSuffix(">") {
                apply(router.received(substitute(payload), from: session, now: now))
            } else {
                expect(payload, from: session, at: location)
            }
            return
        }
        let argument = words.count > 1 ? words[1] : ""
        let parts = argument.split(separator: " ").map(String.init)
        switch head {
        case "connect":
            let transport: Transport = parts[1] == "tcp" ? .tcp : .unix
            // A unix peer's user name `!`: the user database could not be read (out of descriptors).
            let name = parts.count > 2 ? parts[2] : "root"
            let peer = transport == .tcp ? nil : PeerIdentity(
                uid: parts.count > 3 ? UInt32(parts[3]) ?? 0 : 0, gid: 0, pid: 4242,
                userName: name == "!" ? nil : name, userNameUnavailable: name == "!" ? "Too many open files" : nil)
            let address = transport == .tcp ? (parts.count > 2 ? parts[2] : "127.0.0.1") : nil
            let (id, actions) = router.connected(transport: transport, peer: peer, address: address, now: now)
            names[parts[0]] = id
            apply(actions)
        case "local":
            let (id, actions) = router.connectLocal(user: parts[1], transport: .local("fs"), now: now)
            names[parts[0]] = id
            apply(actions)
        case "disconnect": apply(router.disconnected(try session(parts[0], location), now: now))
        // `eof X`: X's peer shut down its side for writing (docs/protocol.md §7).
        case "eof": apply(router.inputEnded(try session(parts[0], location), now: now))
        case "advance":
            let seconds = Double(parts[0]) ?? 0
            now.monotonic += UInt64(seconds * 1_000_000_000)
            now.wall += Int64(seconds)
        case "tick": apply(router.tick(now: now))
        case "deadline": apply(router.loginDeadlinePassed(try session(parts[0], location), now: now))
        case "password", "check":
            // `password|check X ok|fail SECRET` finishes the credential check of X (`pwd`, `callout`).
            let id = try session(parts[0], location)
            #expect(passwords[id] != nil, "no credential check pending for \(parts[0])", sourceLocation: location)
            let words = argument.split(separator: " ", maxSplits: 2)
            if words.count > 2, let (password, _) = passwords[id] {
                let expected = String(words[2])
                if password != Escapes.decode(expected) {
                    Issue.record("password checked was \(Escapes.show(password)), expected \(expected)", sourceLocation: location)
                }
            }
            passwords[id] = nil
            apply(router.credentialChecked(id, verdict: parts[1] == "ok" ? .accepted : .refused(reason: "wrong password"),
                                            now: now))
        case "start":
            #expect(starts.first == parts[0], "expected start of \(parts[0]), got \(starts)", sourceLocation: location)
            if !starts.isEmpty { starts.removeFirst() }
        case "scale":
            // `scale NAME` expects an order for one more instance; `scale stop NAME SESSION` a stop
            // for idleness, `scale stop NAME SESSION lease` one because a compute lease ended.
            // `scale serve NAME` an instance for a compute lease (docs/pooling.md "Bursts").
            if parts[0] == "stop", parts.count > 3, parts[3] != "lease" {
                Issue.record("'scale stop' takes 'lease' or nothing after the session, found '\(parts[3])'",
                             sourceLocation: location)
            }
            let expected = parts[0] == "stop"
                ? "stop \(parts[1]) \(try session(parts[2], location))\(parts.count > 3 ? " lease" : "")"
                : parts[0] == "serve" ? "serve \(parts[1])" : "scale \(parts[0])"
            #expect(starts.first == expected, "expected \(expected), got \(starts)", sourceLocation: location)
            if !starts.isEmpty { starts.removeFirst() }
        case "startfailed": apply(router.zenkaStartFailed(parts[0], now: now))
        case "shutdown": apply(router.shutdown(reason: argument, now: now))
        case "reconfigure":
            // `reconfigure KEY = VALUE` replaces every entry of KEY (`KEY =` leaves it empty).
            let line = try ConfigFile.parse(argument, file: transcript)
            entries.removeAll { entry in line.contains { $0.key == entry.key } }
            entries += line
            let loaded = try CubeConfiguration.load(entries, owner: "root")
            lastReport = ConfigurationReload(running: router.configuration, loaded: loaded).report()
            report = lastReport
            apply(router.reconfigure(loaded, now: now))
        case "report":
            // `report LINE` checks the next line the last `reconfigure` reported.
            #expect(report.first == argument, "reported \(report)", sourceLocation: location)
            if !report.isEmpty { report.removeFirst() }
        case "reloaded", "reload-refused":
            let id = try session(parts[0], location)
            guard let index = reloads.firstIndex(where: { $0.0 == id }) else {
                Issue.record("no reload pending for \(parts[0])", sourceLocation: location)
                return
            }
            let (_, command) = reloads.remove(at: index)
            let refusal = head == "reload-refused" ? parts.dropFirst().joined(separator: " ") : nil
            apply(router.reloadFinished(id, command: command, refusal: refusal, changes: refusal == nil ? lastReport : [],
                                        now: now))
        default:
            let id = try session(head, location)
            switch argument {
            case "closed": #expect(closed.contains(id), "\(head) should be closed", sourceLocation: location)
            case "open": #expect(!closed.contains(id), "\(head) should be open", sourceLocation: location)
            case "encrypted": #expect(encrypted.contains(id), "\(head) should be encrypted", sourceLocation: location)
            default: Issue.record("unknown step '\(line)'", sourceLocation: location)
            }
        }
    }

    /// Checks that nothing is left unexpected at the end.
    func finish() {
        for (name, id) in names.sorted(by: { $0.key < $1.key }) where !(pending[id] ?? []).isEmpty {
            Issue.record("\(transcript): unexpected output for \(name): \(Escapes.show(pending[id] ?? []))")
        }
        if !starts.isEmpty { Issue.record("\(transcript): unexpected zenka starts \(starts)") }
        if !reloads.isEmpty { Issue.record("\(transcript): unanswered reloads \(reloads)") }
        if !report.isEmpty { Issue.record("\(transcript): unchecked report lines \(report)") }
    }

    private mutating func apply(_ actions: [RouterAction]) {
        for action in actions {
            switch action {
            case .send(let id, let bytes): pending[id, default: []] += bytes
            case .close(let id): closed.insert(id)
            case .checkCredential(let id, _, let check): passwords[id] = (check.secret, check.reference)
            case .startZenka(let name): starts.append(name)
            case .scale(.start(let name)): starts.append("scale \(name)")
            case .scale(.stop(let name, let id, let leaseEnded)): starts.append("stop \(name) \(id)\(leaseEnded ? " lease" : "")")
            case .scale(.serve(let name)): starts.append("serve \(name)")
            case .encrypt(let id, _): encrypted.insert(id)
            case .reload(let id, let command): reloads.append((id, command))
            case .event, .dial, .hangUp, .resume, .saveRevocations, .nodeKeyRotated, .planPools: break
            case .deliver(let id, let message): Issue.record("a typed message for \(id) in a transcript: \(message)")
            }
        }
    }

    private mutating func expect(_ payload: String, from id: SessionID, at location: SourceLocation) {
        var output = pending[id] ?? []
        if payload == "nothing" {
            if !output.isEmpty { Issue.record("unexpected output \(Escapes.show(output))", sourceLocation: location) }
            pending[id] = []
            return
        }
        let pattern = Escapes.decode(payload)
        var index = 0
        var cursor = 0
        var matched = true
        while index < pattern.count {
            if pattern[index] == UInt8(ascii: "$"), let (name, next) = captureName(pattern, index + 1) {
                var digits = ""
                while cursor < output.count, Bytes.isDigit(output[cursor]) {
                    digits.append(Character(UnicodeScalar(output[cursor])))
                    cursor += 1
                }
                if let known = captures[name], known != digits { matched = false; break }
                if digits.isEmpty { matched = false; break }
                captures[name] = digits
                index = next
                continue
            }
            guard cursor < output.count, output[cursor] == pattern[index] else { matched = false; break }
            cursor += 1
            index += 1
        }
        if !matched { Issue.record("expected \(payload) got \(Escapes.show(output))", sourceLocation: location) }
        output.removeFirst(matched ? cursor : output.count)
        pending[id] = output
    }

    private func captureName(_ pattern: [UInt8], _ start: Int) -> (String, Int)? {
        var end = start
        while end < pattern.count, Bytes.isAlnum(pattern[end]) || pattern[end] == UInt8(ascii: "_") { end += 1 }
        guard end > start else { return nil }
        return (String(decoding: pattern[start..<end], as: UTF8.self), end)
    }

    private func substitute(_ payload: String) -> [UInt8] {
        var text = payload
        for (name, value) in captures.sorted(by: { $0.key.count > $1.key.count }) {
            text = text.replacingOccurrences(of: "$" + name, with: value)
        }
        return Escapes.decode(text)
    }

    private func session(_ name: String, _ location: SourceLocation) throws -> SessionID {
        guard let id = names[name] else {
            Issue.record("unknown session \(name)", sourceLocation: location)
            throw TranscriptError.unknownSession(name)
        }
        return id
    }
}

enum TranscriptError: Error {
    case unknownSession(String)
}
