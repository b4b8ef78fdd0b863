// swift-tools-version: 6.1
import PackageDescription

/// Layers, dependencies pointing one way:
/// CHiredis → RedisClient → MaestroDomain (pure) → MaestroStore → maestro (CLI), maestro-bench.
let package = Package(
    name: "maestro",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "maestro", targets: ["MaestroCLI"]),
        .executable(name: "maestro-bench", targets: ["MaestroBench"]),
        .library(name: "MaestroStore", targets: ["MaestroStore"]),
    ],
    targets: [
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
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
        .executableTarget(name: "MaestroCLI", dependencies: ["MaestroStore"]),
        .executableTarget(name: "MaestroBench", dependencies: ["MaestroStore", "RedisTestSupport"]),
        .target(name: "RedisTestSupport", dependencies: ["RedisClient"]),
        .testTarget(name: "RedisClientTests", dependencies: ["RedisClient", "RedisTestSupport"]),
        .testTarget(name: "MaestroDomainTests", dependencies: ["MaestroDomain"]),
        .testTarget(name: "MaestroStoreTests", dependencies: ["MaestroStore", "RedisTestSupport"]),
        .testTarget(name: "MaestroCLITests", dependencies: ["MaestroStore", "RedisTestSupport"]),
    ]
)
