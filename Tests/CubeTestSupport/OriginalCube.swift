import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A small server that behaves as the original Perl cube does, written from the reference
/// (../shared/reference, transcripts T2–T6 and §4–§6 of the wire description), not from this
/// project's router. It implements what the interop tests need, the original's way:
///
/// - `select unix`/`select zenka` and their credential lines (any key is accepted);
/// - command ids of 2–15 digits only: anything else in `(…)` gets
///   `FALSE invalid command id syntax or length` without id;
/// - `SIZE`/`STRM` counts in characters; a `SIZE` is relayed as `(<id>)SIZE %04d`; `STRM`
///   replies are not relayed (`STRM open …` is ignored, `STRM <n>` chunks are discarded) and the
///   route stays open;
/// - local `heart`, `whoami`, `list sessions` (the original's table), `exit` (no id, the
///   original's text), `FALSE command does not exist` for any other local command;
/// - routing `<user>.<command>` to every session of that user with a fresh 6-digit id,
///   `heart` forwarded as `heart ` (trailing space) with latency appended to the `TRUE`.
///
/// Every error line it sends (`invalid command id…`, `protocol mismatch`, `reply type not
/// valid`) is kept in ``errorsSent``.
public final class OriginalCube: @unchecked Sendable {
    /// The socket path clients connect to.
    public let socketPath: String
    private let listener: Int32
    private let state = Mutex(State())

    private struct Connection {
        var descriptor: Int32
        var user: String?
    }

    private struct Route {
        var source: Int
        var sourceID: UInt64
        var heart: Bool
    }

    private struct State {
        var connections: [Int: Connection] = [:]
        /// Routes by (target session, target id).
        var routes: [String: Route] = [:]
        var errors: [String] = []
        var stopped = false
    }

    /// Starts listening on a fresh socket in /tmp.
    public init() throws {
        socketPath = "/tmp/original-cube-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(socketPath.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, bound == 0, listen(fd, 16) == 0 else { throw LiveTestError.cubeExited("bind \(socketPath)") }
        listener = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// Error lines sent to anyone so far.
    public var errorsSent: [String] { state.withLock { $0.errors } }

    /// Closes the listener and every connection.
    public func stop() {
        let descriptors = state.withLock { state -> [Int32] in
            guard !state.stopped else { return [] }
            state.stopped = true
            return state.connections.values.map(\.descriptor)
        }
        for descriptor in descriptors { shutdown(descriptor, Int32(SHUT_RDWR)) }
        unlink(socketPath)
    }

    private func acceptLoop() {
        while true {
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, 200)
            if state.withLock({ $0.stopped }) {
                Glibc.close(listener)
                return
            }
            guard ready == 1 else { continue }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { continue }
            let sid = Int.random(in: 1_000_000...9_999_999)
            state.withLock { $0.connections[sid] = Connection(descriptor: fd) }
            send(sid, OriginalWire.banner)
            let thread = Thread { [self] in serve(sid, fd) }
            thread.start()
        }
    }

    private func send(_ sid: Int, _ text: String) { send(sid, Array(text.utf8)) }

    private func send(_ sid: Int, _ bytes: [UInt8]) {
        guard let fd = state.withLock({ $0.connections[sid]?.descriptor }) else { return }
        let text = String(decoding: bytes, as: UTF8.self)
        if text.contains("FALSE invalid command id") || text.contains("FALSE protocol") {
            state.withLock { $0.errors.append(text) }
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return }
            offset += written
        }
    }

    private func serve(_ sid: Int, _ fd: Int32) {
        var buffer: [UInt8] = []
        var method: String?
        defer {
            let orphaned = state.withLock { state -> [Route] in
                state.connections[sid] = nil
                let mine = state.routes.filter { $0.key.hasPrefix("\(sid):") }
                for key in mine.keys { state.routes[key] = nil }
                return Array(mine.values)
            }
            for route in orphaned { send(route.source, reply(route.sourceID, "FALSE command route collapsed")) }
            Glibc.close(fd)
        }
        while true {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let got = recv(fd, &chunk, chunk.count, 0)
            guard got > 0 else { return }
            buffer += chunk[0..<got]
            // Before login: whole lines only, LF only (a CR makes the line invalid).
            while state.withLock({ $0.connections[sid]?.user == nil }), let lf = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<lf], as: UTF8.self)
                buffer.removeFirst(lf + 1)
                if line == "select unix" || line == "select zenka" {
                    method = String(line.dropFirst(7))
                    send(sid, "TRUE continue\n")
                } else if method == "unix", line.hasPrefix("auth "), !line.contains("\r") {
                    state.withLock { $0.connections[sid]?.user = String(line.dropFirst(5)) }
                    send(sid, "AUTH_TRUE =)\n")
                } else if method == "zenka", let space = line.firstIndex(of: " "), !line.contains("\r") {
                    state.withLock { $0.connections[sid]?.user = String(line[..<space]) }
                    send(sid, "AUTH_TRUE =)\n")
                } else {
                    send(sid, ">:[ speak protocol 7 ?\n")
                    return
                }
            }
            guard state.withLock({ $0.connections[sid]?.user != nil }) else { continue }
            while let consumed = handle(buffer, from: sid) {
                buffer.removeFirst(consumed)
                if state.withLock({ $0.connections[sid] == nil }) { return }
            }
        }
    }

    /// Handles the first message in `buffer`; returns the bytes it used, nil if incomplete.
    private func handle(_ buffer: [UInt8], from sid: Int) -> Int? {
        guard let lf = buffer.firstIndex(of: 0x0A) else { return nil }
        let line = String(decoding: buffer[..<lf], as: UTF8.self)
        // 1. `(x)…` with x not 2–15 digits: refused, without id.
        if line.hasPrefix("("), let close = line.firstIndex(of: ")"), line.index(after: close) < line.endIndex,
           !OriginalWire.isValidID(line[line.index(after: line.startIndex)..<close]) {
            send(sid, "FALSE invalid command id syntax or length\n")
            return lf + 1
        }
        var rest = Substring(line)
        var id: UInt64 = 0
        if rest.hasPrefix("("), let close = rest.firstIndex(of: ")") {
            id = UInt64(rest[rest.index(after: rest.startIndex)..<close]) ?? 0
            rest = rest[rest.index(after: close)...]
        }
        rest = rest.drop { $0 == " " }
        // 2. SIZE and STRM bodies, counted in characters.
        if rest.hasPrefix("SIZE ") || rest.hasPrefix("STRM ") {
            let argument = rest.dropFirst(5).drop { $0 == " " }
            if let count = Int(argument) {
                guard let length = OriginalWire.prefixLength(of: count, characters: buffer, from: lf + 1) else { return nil }
                if rest.hasPrefix("SIZE ") {
                    relay(id, keyword: "SIZE", text: "", body: Array(buffer[(lf + 1)..<(lf + 1 + length)]), from: sid)
                }
                return lf + 1 + length
            }
            if rest.hasPrefix("STRM open") { return lf + 1 }  // logged only; the route stays open
        }
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        if trimmed.isEmpty { return lf + 1 }
        let words = rest.split(separator: " ", maxSplits: 1)
        let token = words.first.map(String.init) ?? ""
        let args = words.count > 1 ? String(words[1]).trimmingCharacters(in: .whitespaces) : ""
        let pathBytes = CharacterSet(charactersIn: "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_[].")
        guard !token.isEmpty, token.unicodeScalars.allSatisfy(pathBytes.contains), !line.contains("\r"), !line.contains("\t") else {
            send(sid, reply(id, "FALSE protocol mismatch"))
            return lf + 1
        }
        if ["TRUE", "FALSE", "WAIT", "GET", "TERM"].contains(token) {
            relay(id, keyword: token, text: args, body: nil, from: sid)
        } else if token == token.uppercased() {
            send(sid, reply(id, "FALSE protocol error [ reply type not valid ]"))
        } else if !token.contains(".") {
            runLocal(token, args: args, id: id, from: sid)
        } else {
            route(token, args: args, id: id, from: sid)
        }
        return lf + 1
    }

    private func reply(_ id: UInt64, _ text: String) -> String { (id > 0 ? "(\(id))" : "") + text + "\n" }

    private func runLocal(_ command: String, args: String, id: UInt64, from sid: Int) {
        let user = state.withLock { $0.connections[sid]?.user } ?? "---"
        switch command {
        case "heart": send(sid, reply(id, "TRUE beating"))
        case "whoami": send(sid, reply(id, "TRUE \(user) \(sid)"))
        case "list" where args == "sessions":
            var table = "\n : usid :.  : protocol :.  : type :.  : mode :.  : uname :.  : since :.\n"
            table += String(repeating: "-", count: 72) + "\n"
            let users = state.withLock { $0.connections.sorted { $0.key < $1.key }.map { ($0.key, $0.value.user ?? "---") } }
            for (session, name) in users {
                table += "  \(session)     protocol-7     unix      client     \(name)      0.61s\n"
            }
            send(sid, OriginalWire.size(id: id, table + "\n"))
        case "exit":
            send(sid, "TRUE [,.have a sunny day.,] =]\n")
            let fd = state.withLock { $0.connections[sid]?.descriptor }
            if let fd { shutdown(fd, Int32(SHUT_RDWR)) }
        default: send(sid, reply(id, "FALSE command does not exist"))
        }
    }

    private func route(_ path: String, args: String, id: UInt64, from sid: Int) {
        let target = String(path.prefix { $0 != "." })
        let remainder = String(path.dropFirst(target.count + 1))
        let heart = remainder == "heart"
        let targets = state.withLock { state -> [(Int, UInt64)] in
            state.connections.filter { $0.value.user == target }.keys.sorted().map { session in
                var tid: UInt64
                repeat { tid = UInt64.random(in: 100_000...999_999) } while state.routes["\(session):\(tid)"] != nil
                state.routes["\(session):\(tid)"] = Route(source: sid, sourceID: id, heart: heart)
                return (session, tid)
            }
        }
        guard !targets.isEmpty else { return send(sid, reply(id, "FALSE client not present")) }
        for (session, tid) in targets {
            // The original clears a heart's arguments and leaves a trailing space.
            send(session, "(\(tid))" + (heart ? "heart \n" : remainder + (args.isEmpty ? "" : " " + args) + "\n"))
        }
    }

    private func relay(_ tid: UInt64, keyword: String, text: String, body: [UInt8]?, from sid: Int) {
        let route = state.withLock { state -> Route? in
            let key = "\(sid):\(tid)"
            guard let route = state.routes[key] else { return nil }
            if keyword != "WAIT" { state.routes[key] = nil }
            return route
        }
        guard let route else { return }  // an unknown route: dropped silently
        if let body {
            return send(route.source, OriginalWire.size(id: route.sourceID, String(decoding: body, as: UTF8.self)))
        }
        var line = "\(keyword) \(text.isEmpty ? "UNDEFINED" : text)"
        if route.heart && keyword == "TRUE" { line += " [ 0.00012 secs ]" }
        send(route.source, reply(route.sourceID, line))
    }
}
