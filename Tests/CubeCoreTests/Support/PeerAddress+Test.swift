import CubeCore
import Testing

/// The peer address `text`; fails the test when it is not one.
func peer(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> PeerAddress {
    try #require(PeerAddress(text), sourceLocation: sourceLocation)
}
