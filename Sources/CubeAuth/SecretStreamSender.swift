import CSodium
import Synchronization

/// The sending half of the encrypted framing (pure: bytes in, bytes out, no I/O).
///
/// Send ``header`` first, then whatever ``seal(_:)`` returns. A sender is a handle: copies share
/// one stream (and its lock), so a copy can never reuse a nonce. The key state is zeroed when
/// the last copy goes away.
package struct SecretStreamSender: Sendable {
    /// The shared stream state.
    private final class Storage: Sendable {
        let state: Mutex<SecretStreamState>
        init(state: sending SecretStreamState) { self.state = Mutex(state) }
    }

    /// The 24-byte stream header to send before the first frame.
    package let header: [UInt8]
    /// The shared stream state.
    private let storage: Storage

    /// Starts a stream (`crypto_secretstream_xchacha20poly1305_init_push`, random header).
    /// - Parameter key: the 32-byte key, normally ``SessionKeys/tx``; wipe your copy afterwards.
    /// - Precondition: `key` is 32 bytes (a programming error otherwise).
    package init(key: [UInt8]) {
        Sodium.initialize()
        precondition(key.count == SecretStreamFraming.keyByteCount, "secretstream key must be 32 bytes")
        let state = SecretStreamState()
        var header = [UInt8](repeating: 0, count: SecretStreamFraming.headerByteCount)
        let result = crypto_secretstream_xchacha20poly1305_init_push(&state.raw, &header, key)
        precondition(result == 0, "crypto_secretstream_xchacha20poly1305_init_push failed")
        self.header = header
        self.storage = Storage(state: state)
    }

    /// Encrypts protocol bytes into frames of at most 64 KiB of plaintext each (tag MESSAGE).
    /// - Parameter plaintext: the bytes to send; empty input yields no frame.
    /// - Returns: the frames, each `u32 big-endian ciphertext length ‖ ciphertext`.
    package mutating func seal(_ plaintext: [UInt8]) -> [UInt8] {
        let overhead = SecretStreamFraming.overhead
        let chunk = SecretStreamFraming.maximumPlaintext
        let frames = (plaintext.count + chunk - 1) / chunk
        var output = [UInt8](repeating: 0, count: plaintext.count + frames * (4 + overhead))
        storage.state.withLock { state in
            plaintext.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    guard let source = input.baseAddress, let target = out.baseAddress else { return }
                    var read = 0
                    var written = 0
                    while read < input.count {
                        let length = min(chunk, input.count - read)
                        let frameLength = UInt32(length + overhead)
                        for shift in 0..<4 {
                            target[written + shift] = UInt8(truncatingIfNeeded: frameLength >> UInt32(24 - 8 * shift))
                        }
                        let result = crypto_secretstream_xchacha20poly1305_push(
                            &state.raw, target + written + 4, nil, source + read, UInt64(length), nil, 0,
                            UInt8(crypto_secretstream_xchacha20poly1305_tag_message()))
                        // push only fails for messages above ~256 GiB.
                        precondition(result == 0, "crypto_secretstream_xchacha20poly1305_push failed")
                        read += length
                        written += 4 + length + overhead
                    }
                }
            }
        }
        return output
    }
}
