import Hummingbird
import MaestroStore
import RedisClient

/// `/healthz` (the process is up), `/readyz` (Redis answers, the function library matches where the API is
/// served, the relay listens where streams are served) and `/metrics` (Prometheus text format).
struct HealthRoutes {
    let server: ServerContext

    func register(on routes: RouteGroups) {
        routes.open.get("/healthz") { _, _ in try Response.json(["status": "ok"]) }
        routes.open.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: server.metrics.exposition())))
        }
        routes.open.get("/readyz") { _, _ in
            var problems: [String] = []
            do {
                if server.role.servesAPI {
                    let version = try await server.pool.withConnection { try FunctionLibrary.loadedVersion(on: $0) }
                    if version != FunctionLibrary.version {
                        problems.append(
                            "function library version \(version ?? "none"), need \(FunctionLibrary.version)")
                    }
                } else {
                    _ = try await server.pool.withConnection { try $0.send(RedisCommand("PING")) }
                }
            } catch {
                problems.append("redis: \(error)")
            }
            if server.role.servesStreams && !server.relay.isReady { problems.append("relay not subscribed to Redis") }
            return try Response.json(
                ["status": problems.isEmpty ? "ready" : "not ready", "problems": problems.joined(separator: "; ")],
                status: problems.isEmpty ? .ok : .serviceUnavailable)
        }
    }
}
