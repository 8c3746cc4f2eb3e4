import CubeCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Serves ``CubeMetricsExporter/exposition()`` over HTTP/1 at `GET /metrics`
/// (`metrics.listen`, docs/configuration.md "Monitoring"), as a `Service`.
///
/// Bounds (docs/security.md): one request per connection (the answer closes it), at most
/// ``maximumConnections`` at once, and a connection that has not sent its request within
/// ``requestTimeout`` is closed; NIO's HTTP parser caps the header size. There is no access
/// control: bind it to loopback or a monitoring network.
package final class MetricsServer: Service {
    package static let maximumConnections = 16
    package static let requestTimeout: TimeAmount = .seconds(10)
    /// How long the answer may take to be read, from the end of the request.
    package static let answerTimeout: TimeAmount = .seconds(30)

    private let exporter: CubeMetricsExporter
    private let address: HostPort
    /// The cube's event loops (CubeNet's `NetworkLoop`): a scrape is rare and small.
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    private let onReady: @Sendable (Int) -> Void

    /// - Parameter onReady: called with the bound port once the listener is up.
    package init(exporter: CubeMetricsExporter, address: HostPort, group: MultiThreadedEventLoopGroup, logger: Logger,
                onReady: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.group = group
        self.exporter = exporter
        self.address = address
        self.logger = logger
        self.onReady = onReady
    }

    package func run() async throws {
        let exporter = self.exporter
        let open = ConnectionCount()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 16)
            .childChannelInitializer { channel in
                guard open.enter() else { return channel.close() }
                channel.closeFuture.whenComplete { _ in open.leave() }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false)
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(exporter: exporter))
                }
            }
        let listener: any Channel
        do {
            listener = try await bootstrap.bind(host: address.bareHost, port: address.port).get()
        } catch {
            throw MetricsListenError(address: "\(address.bareHost):\(address.port)", reason: "\(error)")
        }
        let port = listener.localAddress?.port ?? address.port
        logger.info("metrics listening", metadata: ["metrics": "\(address.bareHost):\(port)"])
        onReady(port)
        try? await gracefulShutdown()
        try? await listener.close()
    }
}
