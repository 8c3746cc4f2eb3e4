#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blocking system calls on one connected stream socket (unix or TCP), with `EINTR` retried.
///
/// Owned by one ``P7Connection``; not thread-safe.
struct StreamSocket {
    /// The file descriptor, or -1 once closed.
    private(set) var descriptor: Int32

    /// Connects to `address`.
    /// - Throws: ``ClientError/connectFailed(path:errno:)`` or ``ClientError/addressNotFound(host:detail:)``.
    init(connectingTo address: ClientAddress) throws(ClientError) {
        switch address {
        case .unix(let path): try self.init(connectingTo: path)
        case .tcp(let host, let port): try self.init(connectingToHost: host, port: port)
        }
    }

    /// Connects over TCP to `host` (a name or a numeric IPv4/IPv6 address) and `port`, trying
    /// every address the resolver returns in order. Nagle is switched off: the protocol is
    /// request/reply with small lines.
    /// - Throws: ``ClientError/addressNotFound(host:detail:)`` if `host` does not resolve,
    ///   ``ClientError/connectFailed(path:errno:)`` (path `tcp:HOST:PORT`) if no address accepts.
    init(connectingToHost host: String, port: Int) throws(ClientError) {
        let label = ClientAddress.tcp(host: host, port: port).description
        guard (1...65535).contains(port) else { throw .connectFailed(path: label, errno: EINVAL) }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let detail = status == EAI_SYSTEM ? String(cString: strerror(errno)) : String(cString: gai_strerror(status))
            throw .addressNotFound(host: host, detail: detail)
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = ECONNREFUSED
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            #if canImport(Glibc)
            let type = current.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue)
            #else
            let type = current.pointee.ai_socktype
            #endif
            let fd = socket(current.pointee.ai_family, type, current.pointee.ai_protocol)
            guard fd >= 0 else {
                lastError = errno
                continue
            }
            var result: Int32
            repeat {
                result = connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen)
            } while result != 0 && errno == EINTR
            guard result == 0 else {
                lastError = errno
                systemClose(fd)
                continue
            }
            var on: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            descriptor = fd
            return
        }
        throw .connectFailed(path: label, errno: lastError)
    }

    /// Connects to the unix socket at `path`.
    /// - Throws: ``ClientError/connectFailed(path:errno:)``.
    init(connectingTo path: String) throws(ClientError) {
        let pathBytes = Array(path.utf8)
        var address = sockaddr_un()
        // sun_path must hold the path and its terminating NUL.
        guard !pathBytes.isEmpty, pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw .connectFailed(path: path, errno: ENAMETOOLONG)
        }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }

        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        let fd = socket(AF_UNIX, type, 0)
        guard fd >= 0 else { throw .connectFailed(path: path, errno: errno) }

        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + 1)
        var result: Int32
        repeat {
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
            }
        } while result != 0 && errno == EINTR
        guard result == 0 else {
            let code = errno
            systemClose(fd)
            throw .connectFailed(path: path, errno: code)
        }
        descriptor = fd
    }

    /// Writes all of `bytes`, without raising `SIGPIPE` when the peer is gone.
    /// - Throws: ``ClientError/closedByPeer`` on `EPIPE`, else ``ClientError/ioFailed(operation:errno:)``.
    func writeAll(_ bytes: [UInt8]) throws(ClientError) {
        guard descriptor >= 0 else { throw .ioFailed(operation: "send", errno: EBADF) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                send(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EPIPE || code == ECONNRESET { throw .closedByPeer }
                throw .ioFailed(operation: "send", errno: code)
            }
            offset += written
        }
    }

    /// Waits up to `timeout` (nil: forever) for bytes and returns what one `recv` delivers;
    /// an empty array means end of file.
    /// - Throws: ``ClientError/timeout`` or ``ClientError/ioFailed(operation:errno:)``.
    func readSome(timeout: Duration?, maximum: Int = 1 << 16) throws(ClientError) -> [UInt8] {
        guard descriptor >= 0 else { throw .ioFailed(operation: "recv", errno: EBADF) }
        try waitReadable(timeout: timeout)
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count >= 0 {
                buffer.removeLast(buffer.count - count)
                return buffer
            }
            let code = errno
            if code == EINTR { continue }
            if code == ECONNRESET { return [] }
            throw .ioFailed(operation: "recv", errno: code)
        }
    }

    /// Closes the descriptor; later calls fail with `EBADF`. Safe to call twice.
    mutating func close() {
        guard descriptor >= 0 else { return }
        systemClose(descriptor)
        descriptor = -1
    }

    private func waitReadable(timeout: Duration?) throws(ClientError) {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = timeout.map(Self.milliseconds) ?? -1
        while true {
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return }
            if ready == 0 { throw .timeout }
            // A signal interrupted the wait; waiting the full timeout again errs on the patient side.
            if errno != EINTR { throw .ioFailed(operation: "poll", errno: errno) }
        }
    }

    /// `duration` in whole milliseconds, rounded up so a tiny timeout still waits, clamped to poll's range.
    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 || seconds > 0 else { return 0 }
        let fraction = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        guard seconds < Int64(Int32.max / 1000) else { return Int32.max }
        return Int32(clamping: seconds * 1000 + fraction)
    }
}

/// `close(2)`, named apart from ``StreamSocket/close()`` which would otherwise shadow it.
private func systemClose(_ descriptor: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(descriptor)
    #else
    _ = Darwin.close(descriptor)
    #endif
}
