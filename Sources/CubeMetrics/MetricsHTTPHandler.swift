import NIOCore
import NIOHTTP1

/// Answers one HTTP request: `GET /metrics` gets the exposition, anything else 404 or 405;
/// the connection closes after the answer.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let exporter: CubeMetricsExporter
    private var head: HTTPRequestHead?
    /// Closes the connection when the request, then the answer, takes too long.
    private var deadline: Scheduled<Void>?

    init(exporter: CubeMetricsExporter) {
        self.exporter = exporter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // A fixed deadline from accept: an idle timer, restarted by every body part, let a
        // chunked body trickling a byte every few seconds hold one of the 16 connections for
        // ever, and 16 of them kept every scrape out (a hostile second reader).
        deadline = Self.close(context.channel, after: MetricsServer.requestTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
        case .body:
            break  // ignored; bounded by the deadline and the one-request rule
        case .end:
            guard let request = head else { return }
            head = nil
            // The answer has a deadline of its own: a scraper that does not read holds no slot.
            deadline?.cancel()
            deadline = Self.close(context.channel, after: MetricsServer.answerTimeout)
            respond(to: request, context: context)
        }
    }

    private static func close(_ channel: any Channel, after delay: TimeAmount) -> Scheduled<Void> {
        channel.eventLoop.scheduleTask(in: delay) { channel.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        let status: HTTPResponseStatus
        let body: String
        let type: String
        if path != "/metrics" {
            (status, body, type) = (.notFound, "not found: only /metrics is served\n", "text/plain; charset=utf-8")
        } else if request.method != .GET && request.method != .HEAD {
            (status, body, type) = (.methodNotAllowed, "only GET\n", "text/plain; charset=utf-8")
        } else {
            (status, body, type) = (.ok, exporter.exposition(), "text/plain; version=0.0.4; charset=utf-8")
        }
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: "\(buffer.readableBytes)")
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
                      promise: nil)
        if request.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in
            channel.close(promise: nil)
        }
    }
}
