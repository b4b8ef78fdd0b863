import Foundation
import ProcessTestSupport
import RedisClient
import RedisTestSupport
import Testing

/// The `maestro-server` executable itself: its embedded Redis, its refusals at start, its shutdown.
@Suite("maestro-server binary")
struct ServerBinaryTests {
    static let path = "/usr/bin:/bin:/usr/sbin:/sbin"

    @Test("embedded default: starts its own Redis, prints the token once, serves, and stops both on SIGINT")
    func embeddedDefault() throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("maestro-data-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let server = try CLIProcess(environment: ["PATH": Self.path], executable: "maestro-server")
            .start("--port", "0", "--data-dir", dataDirectory.path)
        defer { server.signal(SIGKILL) }
        #expect(try Self.readyPort(of: server) != nil, "readyz: \(server.stderr)")

        let token = try String(contentsOf: dataDirectory.appendingPathComponent("user-token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(server.stderr.contains(token), "the generated token is printed at first start")
        let attributes = try FileManager.default.attributesOfItem(
            atPath: dataDirectory.appendingPathComponent("user-token").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let redis = RedisConnection(
            RedisConfiguration(endpoint: .unix(path: dataDirectory.appendingPathComponent("redis/redis.sock").path)))
        let config = try redis.send(RedisCommand("CONFIG", "GET", "appendonly")).array?.last?.string
        #expect(config == "yes", "AOF is on")

        server.signal(SIGINT)
        let result = server.wait()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            (try? RedisConnection(
                RedisConfiguration(
                    endpoint: .unix(path: dataDirectory.appendingPathComponent("redis/redis.sock").path),
                    connectTimeout: .milliseconds(200))
            ).send(RedisCommand("PING"))) == nil,
            "the embedded redis-server is stopped with the server")
    }

    @Test("a clear message when redis-server is not on PATH")
    func missingRedisServer() throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("maestro-data-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let result = try CLIProcess(environment: ["PATH": "/nonexistent"], executable: "maestro-server")
            .run("--port", "0", "--data-dir", dataDirectory.path)
        #expect(result.status != 0)
        #expect(result.stderr.contains("redis-server is not installed"), "\(result.stderr)")
    }

    @Test("webhook timings out of range, or a lease no longer than the timeout, are refused before anything starts")
    func refusesWebhookTimings() throws {
        for (arguments, environment, message) in [
            (["--webhook-timeout", "0"], [:], "the webhook timeout must be from 1 to 60 seconds"),
            (["--webhook-timeout", "61"], [:], "the webhook timeout must be from 1 to 60 seconds"),
            ([], ["MAESTRO_WEBHOOK_TIMEOUT": "soon"], "MAESTRO_WEBHOOK_TIMEOUT must be seconds"),
            (["--webhook-lease", "0.5"], [:], "the webhook lease must be from 1 to 3600 seconds"),
            (["--webhook-lease", "5"], [:], "must be longer than the webhook timeout"),
            (["--webhook-lease", "20"], ["MAESTRO_WEBHOOK_TIMEOUT": "20"], "must be longer than the webhook timeout"),
        ] as [([String], [String: String], String)] {
            // No redis-server on PATH: a refusal about Redis would mean the timings were not checked first.
            let result = try CLIProcess(
                environment: environment.merging(["PATH": "/nonexistent"]) { $1 }, executable: "maestro-server"
            ).run(bytes: (arguments + ["--port", "0", "--data-dir", "/nonexistent/maestro"]).map { Array($0.utf8) })
            #expect(result.status == 64 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }

    @Test("an external Redis that may evict keys is refused, saying why")
    func refusesEviction() throws {
        let redis = try RedisTestServer(arguments: ["--maxmemory-policy", "allkeys-lru"])
        defer { redis.stop() }
        let result = try CLIProcess(
            environment: ["PATH": Self.path, "MAESTRO_REDIS_URL": redis.url, "MAESTRO_USER_TOKEN": "mut_x"],
            executable: "maestro-server"
        ).run("--port", "0")
        #expect(result.status != 0)
        #expect(result.stderr.contains("noeviction"), "\(result.stderr)")
    }

    /// The port a maestro-server started with `--port 0` got (from its log line "… listening on 127.0.0.1:<port>"),
    /// once it answers /readyz; nil when it does not within 30 s. Nothing can take the port between picking and
    /// binding, as it can with a port picked free beforehand.
    static func readyPort(of server: CLIProcess.Running) throws -> Int? {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let log = server.stderr
            if let line = log.range(of: #"listening on 127\.0\.0\.1:[0-9]+"#, options: .regularExpression),
                let port = log[line].split(separator: ":").last.flatMap({ Int($0) })
            {
                return try waitForReady(port: port) ? port : nil
            }
            usleep(50_000)
        }
        return nil
    }

    static func waitForReady(port: Int) throws -> Bool {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let status = try? httpStatus(port: port, path: "/readyz"), status == 200 { return true }
            usleep(50_000)
        }
        return false
    }

    /// The status code of a plain GET.
    static func httpStatus(port: Int, path: String, token: String? = nil) throws -> Int? {
        guard let fd = try? Loopback.socket(port: port) else { return nil }
        defer { close(fd) }
        let authorization = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(authorization)Connection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count > 12 else { return nil }
        return Int(String(decoding: buffer[9..<12], as: UTF8.self))
    }
}
