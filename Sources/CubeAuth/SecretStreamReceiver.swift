import CSodium
import Synchronization

/// The receiving half of the encrypted framing (pure: bytes in, plaintext out, no I/O).
///
/// Feed it whatever arrives, in any chunking: it buffers until the 24-byte header and then each
/// whole frame are there, and returns the plaintext of every frame completed so far. A frame
/// that fails to authenticate, a length above 64 KiB + 17 (or below 17), or a FINAL tag throws;
/// plaintext decrypted earlier in the same call is discarded (the session is closing), and
/// from then on every call throws `.streamFailed`. Copies share one stream, like the sender.
package struct SecretStreamReceiver: Sendable {
    /// Everything the receiver keeps, under one lock.
    private struct Buffered: ~Copyable {
        var state = SecretStreamState()
        var headerDone = false
        var failed = false
        var pending: [UInt8] = []
        var start = 0
    }

    /// The shared receiver state.
    private final class Storage: Sendable {
        let buffered: Mutex<Buffered>
        init() { buffered = Mutex(Buffered()) }
    }

    /// The 32-byte key; kept until the header arrives.
    private let key: SecretBytes
    /// The shared receiver state.
    private let storage = Storage()

    /// Creates a receiver waiting for the peer's header.
    /// - Parameter key: the 32-byte key, normally ``SessionKeys/rx``; wipe your copy afterwards.
    /// - Precondition: `key` is 32 bytes (a programming error otherwise).
    package init(key: [UInt8]) {
        Sodium.initialize()
        precondition(key.count == SecretStreamFraming.keyByteCount, "secretstream key must be 32 bytes")
        self.key = SecretBytes(copying: key)
    }

    /// Takes more received bytes.
    /// - Parameter bytes: the next bytes from the peer, any amount.
    /// - Returns: the plaintext of all frames completed by these bytes (possibly empty).
    /// - Throws: ``AuthError`` of kind `.decryptionFailed`, `.frameTooLarge`, `.unexpectedFinalTag`,
    ///   or `.streamFailed` once any of those happened.
    package mutating func receive(_ bytes: some Collection<UInt8>) throws(AuthError) -> [UInt8] {
        try storage.buffered.withLock { (buffered: inout Buffered) throws(AuthError) -> [UInt8] in
            guard !buffered.failed else { throw AuthError(.streamFailed, function: "receive") }
            buffered.pending.append(contentsOf: bytes)
            do throws(AuthError) {
                let plaintext = try Self.drain(&buffered, key: key)
                Self.compact(&buffered)
                return plaintext
            } catch {
                buffered.failed = true
                buffered.pending = []
                buffered.start = 0
                throw error
            }
        }
    }

    /// Consumes the header and every complete frame.
    private static func drain(_ buffered: inout Buffered, key: SecretBytes) throws(AuthError) -> [UInt8] {
        if !buffered.headerDone {
            let headerLength = SecretStreamFraming.headerByteCount
            guard buffered.pending.count - buffered.start >= headerLength else { return [] }
            let header = Array(buffered.pending[buffered.start..<(buffered.start + headerLength)])
            let result = key.withUnsafeBytes { key in
                crypto_secretstream_xchacha20poly1305_init_pull(&buffered.state.raw, header, key)
            }
            guard result == 0 else { throw AuthError(.decryptionFailed, function: "init_pull", code: result) }
            buffered.start += headerLength
            buffered.headerDone = true
        }
        var plaintext: [UInt8] = []
        while let frame = try nextFrame(buffered) {
            try open(frame, state: buffered.state, into: &plaintext, pending: buffered.pending)
            buffered.start = frame.upperBound
        }
        return plaintext
    }

    /// The ciphertext range of the next complete frame in `pending`, nil if it is incomplete.
    private static func nextFrame(_ buffered: borrowing Buffered) throws(AuthError) -> Range<Int>? {
        let available = buffered.pending.count - buffered.start
        guard available >= 4 else { return nil }
        var length = 0
        for index in buffered.start..<(buffered.start + 4) { length = length << 8 | Int(buffered.pending[index]) }
        guard length <= SecretStreamFraming.maximumCiphertext else {
            throw AuthError(.frameTooLarge, function: "receive", detail: "\(length) bytes")
        }
        guard length >= SecretStreamFraming.overhead else {
            throw AuthError(.decryptionFailed, function: "receive", detail: "frame of \(length) bytes")
        }
        guard available >= 4 + length else { return nil }
        return (buffered.start + 4)..<(buffered.start + 4 + length)
    }

    /// Decrypts one frame and appends its plaintext.
    private static func open(_ frame: Range<Int>, state: SecretStreamState, into plaintext: inout [UInt8],
                             pending: [UInt8]) throws(AuthError) {
        let length = frame.count - SecretStreamFraming.overhead
        let offset = plaintext.count
        plaintext.append(contentsOf: repeatElement(0, count: length))
        var tag: UInt8 = 0
        let result = pending.withUnsafeBufferPointer { input in
            plaintext.withUnsafeMutableBufferPointer { output in
                guard let source = input.baseAddress, let target = output.baseAddress else { return Int32(-1) }
                return crypto_secretstream_xchacha20poly1305_pull(
                    &state.raw, target + offset, nil, &tag, source + frame.lowerBound, UInt64(frame.count), nil, 0)
            }
        }
        guard result == 0 else {
            throw AuthError(.decryptionFailed, function: "crypto_secretstream_pull", code: result)
        }
        guard tag != UInt8(crypto_secretstream_xchacha20poly1305_tag_final()) else {
            throw AuthError(.unexpectedFinalTag, function: "receive")
        }
    }

    /// Drops consumed bytes once they make up most of the buffer.
    private static func compact(_ buffered: inout Buffered) {
        if buffered.start == buffered.pending.count {
            buffered.pending.removeAll(keepingCapacity: true)
            buffered.start = 0
        } else if buffered.start > 4096, buffered.start * 2 > buffered.pending.count {
            buffered.pending.removeFirst(buffered.start)
            buffered.start = 0
        }
    }
}
