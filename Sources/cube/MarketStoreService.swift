import CubeRuntime
import ServiceLifecycle

/// Detaches the market's store when a graceful shutdown begins. Listed last, so it stops
/// first: the zenki the manager stops and the sessions the server closes afterwards end no
/// stored offer or lease, and a clean restart finds them all (docs/market.md "Storage").
struct MarketStoreService: Service {
    let hub: Hub

    func run() async throws {
        try? await gracefulShutdown()
        hub.detachMarketStore()
    }
}
