// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// The routed path's modules drop the run-time exclusivity checks in release builds only:
/// they were ~4-5 % of the cube's CPU per pipelined request (swift_beginAccess, AccessSet,
/// __tls_get_addr; docs/performance.md "Exclusivity checks"). Debug builds, which every test
/// runs, keep them, so an overlapping access still traps there. The package has no library
/// products, so nothing depends on it and unsafe flags are allowed.
let hotPathSettings: [SwiftSetting] = swiftSettings + [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "cube",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cube", targets: ["cube"]),
        .executable(name: "p7", targets: ["p7"]),
        .executable(name: "zenka", targets: ["zenka"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // MARK: - Pure core (no I/O, no Foundation)
        .target(name: "CubeCore", swiftSettings: hotPathSettings),

        // MARK: - C system libraries
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CFuse3", pkgConfig: "fuse3", providers: [.apt(["libfuse3-dev"])]),
        // libedit: line editing, history and completion for p7's interactive terminal.
        .systemLibrary(name: "CLineEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // SQLite: the cube's durable market store (docs/market.md "Storage").
        .systemLibrary(name: "CSQLite3", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // MARK: - Crypto (CPU only)
        .target(name: "CubeAuth", dependencies: ["CubeCore", "CSodium"], swiftSettings: swiftSettings),

        // MARK: - Runtime: the owner of the router and what it needs that is not socket code
        .target(
            name: "CubeRuntime",
            dependencies: [
                "CubeCore", "CubeAuth", "CCubeSystem",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hotPathSettings),

        // MARK: - I/O edges
        .target(
            name: "CubeNet",
            dependencies: [
                "CubeCore", "CubeAuth", "CubeRuntime", "CubeFUSE", "CCubeSystem",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: hotPathSettings),
        .target(name: "CubeClient", dependencies: ["CubeCore", "CubeAuth"], swiftSettings: swiftSettings),
        .target(name: "CubeZenka", dependencies: ["CubeAuth", "CubeClient", "CubeCore"], swiftSettings: swiftSettings),
        .target(
            name: "CubeFUSE",
            dependencies: ["CFuse3", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),

        .target(name: "CubeFS", dependencies: ["CubeCore"], swiftSettings: swiftSettings),
        .target(name: "CubeStore", dependencies: ["CubeCore", "CSQLite3"], swiftSettings: swiftSettings),
        .target(
            name: "CubeMount",
            dependencies: [
                "CubeCore", "CubeFS", "CubeFUSE", "CubeRuntime", "CubeMetrics",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),

        .target(
            name: "CubeMetrics",
            dependencies: [
                "CubeCore",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),

        .target(name: "CCubeSystem"),
        .target(
            name: "CubeManager",
            dependencies: [
                "CubeCore", "CubeRuntime", "CubeAuth", "CCubeSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),

        // MARK: - Executables
        .executableTarget(
            name: "cube",
            dependencies: [
                "CubeCore", "CubeAuth", "CubeRuntime", "CubeNet", "CubeMount", "CubeFUSE", "CubeManager", "CubeClient", "CubeMetrics", "CubeStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(name: "p7", dependencies: ["CubeClient", "CLineEdit"], swiftSettings: swiftSettings),
        .executableTarget(name: "cube-router-bench", dependencies: ["CubeCore"], path: "Benchmarks/RouterBench",
                          swiftSettings: swiftSettings),
        .executableTarget(name: "cube-market-bench", dependencies: ["CubeCore", "CubeStore"], path: "Benchmarks/MarketBench",
                          swiftSettings: swiftSettings),
        .executableTarget(name: "cube-network-sim", dependencies: ["CubeCore", "CubeAuth"], path: "Benchmarks/NetworkSim",
                          swiftSettings: swiftSettings),
        .executableTarget(name: "zenka", dependencies: ["CubeZenka", "CubeCore", .product(name: "ArgumentParser", package: "swift-argument-parser")], swiftSettings: swiftSettings),

        // MARK: - Tests
        .target(name: "CubeTestSupport", path: "Tests/CubeTestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "CubeCoreTests", dependencies: ["CubeCore"], resources: [.copy("Transcripts"), .copy("Corpus")]),
        .testTarget(name: "CubeAuthTests", dependencies: ["CubeAuth", "CubeCore"], resources: [.copy("Corpus")]),
        .testTarget(name: "cubeTests", dependencies: ["cube", "CubeCore", "CubeManager", "CubeRuntime", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "CubeRuntimeTests", dependencies: [
            "CubeRuntime", "CubeCore", "CCubeSystem", .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .testTarget(name: "CubeNetTests", dependencies: [
            "CubeNet", "CubeRuntime", "CubeCore", "CubeTestSupport", .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .testTarget(name: "CubeMetricsTests", dependencies: ["CubeMetrics", "CubeCore"]),
        .testTarget(name: "CubeClientTests", dependencies: ["CubeClient", "CubeCore", "CubeTestSupport"]),
        .testTarget(name: "CubeFUSETests", dependencies: ["CubeFUSE"]),
        .testTarget(name: "CubeFSTests", dependencies: ["CubeFS", "CubeCore"]),
        .testTarget(name: "CubeStoreTests", dependencies: ["CubeStore", "CubeCore"]),
        .testTarget(name: "CubeMountTests", dependencies: [
            "CubeMount", "CubeRuntime", "CubeNet", "CubeCore", "CubeFUSE", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "CubeLiveTests", dependencies: ["CubeClient", "CubeCore", "CubeRuntime", "CubeNet", "CubeStore", "CubeTestSupport", "cube", "p7"]),
        .testTarget(name: "CubeZenkaTests", dependencies: ["CubeZenka", "CubeClient", "CubeCore", "CubeTestSupport"]),
    ]
)
