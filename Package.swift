// swift-tools-version: 6.1
import PackageDescription

/// Layers, dependencies pointing one way:
/// CHiredis → RedisClient → MaestroDomain (pure) → MaestroStore → MaestroMigration → maestro (CLI);
/// MaestroDomain → MaestroMCP (the MCP protocol, no I/O) → maestro; COpenSSL → MaestroHTTPClient → maestro;
/// MaestroStore → MaestroSupervisor (`maestro run`) → maestro;
/// MaestroDomain → MaestroWebhooks (signing, retry schedule, target rules, Slack text; no I/O) → MaestroServer;
/// MaestroStore → MaestroServer → maestro-server, maestro-bench, maestro-relay-bench.
let package = Package(
    name: "maestro",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "maestro", targets: ["MaestroCLI"]),
        .executable(name: "maestro-bench", targets: ["MaestroBench"]),
        .executable(name: "maestro-relay-bench", targets: ["MaestroRelayBench"]),
        .executable(name: "maestro-server", targets: ["MaestroServerMain"]),
        .library(name: "MaestroStore", targets: ["MaestroStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        // OpenSSL's headers at build time (Debian: libssl-dev); the library itself is loaded with dlopen when the
        // CLI first needs https://.
        .target(name: "COpenSSL"),
        .target(name: "RedisClient", dependencies: ["CHiredis"]),
        .target(name: "MaestroDomain"),
        .executableTarget(name: "LuaEmbedder"),
        .plugin(
            name: "EmbedLuaPlugin",
            capability: .buildTool(),
            dependencies: ["LuaEmbedder"]
        ),
        .target(
            name: "MaestroStore",
            dependencies: ["RedisClient", "MaestroDomain"],
            exclude: ["Lua"],
            plugins: ["EmbedLuaPlugin"]
        ),
        .target(name: "MaestroMigration", dependencies: ["MaestroStore", "MaestroDomain"]),
        .target(name: "MaestroMCP", dependencies: ["MaestroDomain"]),
        .target(
            name: "MaestroWebhooks",
            dependencies: ["MaestroDomain", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(
            name: "MaestroCLI",
            dependencies: ["MaestroStore", "MaestroMigration", "MaestroMCP", "MaestroHTTPClient", "MaestroSupervisor"]),
        // The CLI's HTTP/1.1 client for MAESTRO_URL (plain or TLS through OpenSSL, loaded when first needed).
        .target(name: "MaestroHTTPClient", dependencies: ["COpenSSL"]),
        // `maestro run`: one agent process supervised as a session (lease, lifecycle, stop and restart).
        .target(name: "MaestroSupervisor", dependencies: ["MaestroStore"]),
        .target(
            name: "MaestroServer",
            dependencies: [
                "MaestroStore", "MaestroWebhooks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "MaestroServerMain",
            dependencies: [
                "MaestroServer", "MaestroWebhooks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The benchmarks (not tests): Sources/Benchmarks, one report library shared by both executables.
        .target(name: "BenchReporting", path: "Sources/Benchmarks/BenchReporting"),
        .executableTarget(
            name: "MaestroBench",
            dependencies: ["MaestroStore", "RedisTestSupport", "ProcessTestSupport", "BenchReporting"],
            path: "Sources/Benchmarks/MaestroBench"),
        .executableTarget(
            name: "MaestroRelayBench",
            dependencies: ["MaestroStore", "RedisTestSupport", "ProcessTestSupport", "BenchReporting"],
            path: "Sources/Benchmarks/MaestroRelayBench"),
        // Test support, by what it supports: programs run and spoken to over loopback; private redis-servers and
        // clusters; Maestro's own fixtures.
        .target(name: "ProcessTestSupport"),
        .target(name: "RedisTestSupport", dependencies: ["RedisClient", "ProcessTestSupport"]),
        .testTarget(name: "RedisClientTests", dependencies: ["RedisClient", "RedisTestSupport"]),
        .testTarget(name: "MaestroDomainTests", dependencies: ["MaestroDomain"]),
        .target(name: "MaestroTestSupport", dependencies: ["MaestroStore", "RedisClient", "RedisTestSupport"]),
        .testTarget(
            name: "MaestroStoreTests", dependencies: ["MaestroStore", "RedisTestSupport", "MaestroTestSupport"]),
        .testTarget(
            name: "MaestroCLITests",
            dependencies: ["MaestroStore", "RedisTestSupport", "ProcessTestSupport", "MaestroTestSupport"]),
        .testTarget(name: "MaestroMCPTests", dependencies: ["MaestroMCP"]),
        .testTarget(name: "MaestroWebhooksTests", dependencies: ["MaestroWebhooks"]),
        .testTarget(
            name: "MaestroMigrationTests",
            dependencies: ["MaestroMigration", "MaestroStore", "RedisTestSupport", "ProcessTestSupport"]),
        .testTarget(
            name: "MaestroServerTests",
            dependencies: [
                "MaestroServer", "MaestroMigration", "RedisTestSupport", "ProcessTestSupport", "MaestroTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ]
        ),
    ]
)
