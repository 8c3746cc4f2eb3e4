import CubeAuth
import Testing

@Suite struct SecretStreamTests {
    static let key = [UInt8](repeating: 7, count: 32)

    /// Header followed by the frames of `messages`.
    static func wire(_ messages: [[UInt8]]) -> [UInt8] {
        var sender = SecretStreamSender(key: key)
        var wire = sender.header
        for message in messages { wire += sender.seal(message) }
        return wire
    }

    @Test(arguments: [1, 7, 1000, 1 << 20])
    func roundTripsAcrossArbitraryChunkings(chunk: Int) throws {
        var generator = SeededGenerator(seed: UInt64(chunk))
        let messages = [Array("hello\n".utf8), [], generator.bytes(3000), generator.bytes(64 * 1024 + 5), [42]]
        let wire = Self.wire(messages)
        var receiver = SecretStreamReceiver(key: Self.key)
        var plaintext: [UInt8] = []
        var offset = 0
        while offset < wire.count {
            let end = min(offset + chunk, wire.count)
            plaintext += try receiver.receive(wire[offset..<end])
            offset = end
        }
        #expect(plaintext == messages.flatMap { $0 })
    }

    @Test func framesAreLengthPrefixedAndSplitAt64KiB() {
        var sender = SecretStreamSender(key: Self.key)
        #expect(sender.header.count == 24)
        #expect(sender.seal([]).isEmpty)
        let frame = sender.seal([1, 2, 3])
        #expect(frame.count == 4 + 3 + 17)
        #expect(Array(frame.prefix(4)) == [0, 0, 0, 20])
        let big = sender.seal([UInt8](repeating: 0, count: 64 * 1024 + 1))
        #expect(big.count == 2 * (4 + 17) + 64 * 1024 + 1)
        #expect(Array(big.prefix(4)) == [0, 1, 0, 17])
    }

    @Test func aFlippedCiphertextBitThrowsAndDeliversNothingOfThatFrame() throws {
        var wire = Self.wire([Array("first".utf8), Array("second".utf8)])
        var receiver = SecretStreamReceiver(key: Self.key)
        let firstEnd = 24 + 4 + 5 + 17
        #expect(try receiver.receive(wire[0..<firstEnd]) == Array("first".utf8))
        wire[firstEnd + 4 + 3] ^= 0x10
        #expect(throws: AuthError.self) { _ = try receiver.receive(wire[firstEnd...]) }
        // The receiver stays failed.
        do {
            _ = try receiver.receive([])
            Issue.record("failed receiver accepted input")
        } catch {
            #expect(error.kind == .streamFailed)
        }
    }

    @Test func aTamperedLengthOrWrongKeyFails() {
        var wire = Self.wire([Array("data".utf8)])
        wire[24 + 3] -= 1
        var receiver = SecretStreamReceiver(key: Self.key)
        #expect(throws: AuthError.self) { _ = try receiver.receive(wire + [0]) }
        var wrongKey = SecretStreamReceiver(key: [UInt8](repeating: 8, count: 32))
        #expect(throws: AuthError.self) { _ = try wrongKey.receive(Self.wire([[1]])) }
    }

    @Test func aTruncatedFrameDeliversNothingUntilComplete() throws {
        let wire = Self.wire([Array("complete me".utf8)])
        var receiver = SecretStreamReceiver(key: Self.key)
        #expect(try receiver.receive(wire.dropLast()) == [])
        #expect(try receiver.receive(wire.suffix(1)) == Array("complete me".utf8))
    }

    @Test func anOversizeLengthThrowsBeforeTheBodyArrives() {
        var receiver = SecretStreamReceiver(key: Self.key)
        let header = SecretStreamSender(key: Self.key).header
        let length: [UInt8] = [0, 1, 0, 18]  // 64 KiB + 18 > 64 KiB + 17
        do {
            _ = try receiver.receive(header + length)
            Issue.record("oversize frame accepted")
        } catch {
            #expect(error.kind == .frameTooLarge)
        }
    }

    @Test func theLargestFrameIsAccepted() throws {
        let message = [UInt8](repeating: 9, count: 64 * 1024)
        var receiver = SecretStreamReceiver(key: Self.key)
        #expect(try receiver.receive(Self.wire([message])) == message)
    }

    @Test func handshakeKeysDriveTheStreamBothWays() throws {
        var pair = HandshakePair()
        let serverLine = try pair.serverLine()
        guard case .send(let auth) = pair.client.receive(line: serverLine),
              case .authenticated(_, let serverKeys) = pair.server.receive(line: auth),
              case .authenticated(_, let clientKeys) = pair.client.receive(line: Array("AUTH_TRUE =)\n".utf8))
        else {
            Issue.record("handshake failed")
            return
        }
        var toServer = SecretStreamSender(key: clientKeys.tx)
        var atServer = SecretStreamReceiver(key: serverKeys.rx)
        #expect(try atServer.receive(toServer.header + toServer.seal(Array("heart\n".utf8))) == Array("heart\n".utf8))
        var toClient = SecretStreamSender(key: serverKeys.tx)
        var atClient = SecretStreamReceiver(key: clientKeys.rx)
        #expect(try atClient.receive(toClient.header + toClient.seal([1])) == [1])
    }
}
