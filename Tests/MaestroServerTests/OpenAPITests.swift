import Foundation
import Logging
import MaestroServer
import RedisClient
import Testing

@Suite("docs/openapi.json matches the server")
struct OpenAPITests {
    @Test("every route the server has is documented, and every documented route exists")
    func routesMatch() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("docs/openapi.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })

        // A server that is never started: only its routing table is read.
        let configuration = RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: 1))
        let pool = RedisConnectionPool(configuration: configuration, size: 1)
        defer { pool.shutdown() }
        let metrics = ServerMetrics()
        let relay = EventRelay(configuration: configuration, metrics: metrics, logger: Logger(label: "openapi-test"))
        let context = ServerContext(
            pool: pool, relay: relay, metrics: metrics, userToken: "t", publicURL: "http://x", agentRedisURL: nil)
        let routes = buildRouter(context).routes.map { route in
            // Hummingbird writes captures as :name, OpenAPI as {name}.
            let path = route.path.description.split(separator: "/").map { part in
                part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
            }.joined(separator: "/")
            return "\(route.method.rawValue) /\(path)"
        }
        let served = Set(routes)
        #expect(
            served.subtracting(documented).isEmpty,
            "routes missing from docs/openapi.json: \(served.subtracting(documented).sorted())")
        #expect(
            documented.subtracting(served).isEmpty,
            "documented routes the server lacks: \(documented.subtracting(served).sorted())")
    }
}
