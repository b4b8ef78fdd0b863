import BenchReporting
import Foundation
import MaestroDomain
import RedisTestSupport

/// The CLI over HTTPS: one `maestro task update TASK --status working` process (MAESTRO_URL=https://…, the test CA
/// in MAESTRO_CA_FILE) next to one `curl` process making the same request (same method, path, headers and body, a
/// fresh idempotency key each), both verifying the server's certificate against the same CAs, against one
/// maestro-server serving TLS.
struct HTTPSWallTime {
    struct Result {
        var maestro: Double
        var curl: Double
    }

    let maestro: URL
    let curl: URL
    let server: TLSServerProcess
    let fixture: BenchFixture

    private var maestroEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["MAESTRO_REDIS_URL"] = nil
        environment["MAESTRO_URL"] = server.url
        environment["MAESTRO_CA_FILE"] = server.certificates.ca.path
        environment["MAESTRO_PROJECT_ID"] = fixture.scope.projectId
        environment["MAESTRO_SESSION_ID"] = fixture.session.sessionId
        environment["MAESTRO_SESSION_TOKEN"] = fixture.session.token
        return environment
    }

    private var maestroArguments: [String] { ["task", "update", fixture.taskId, "--status", "working"] }

    private func curlArguments() -> [String] {
        let path = "/api/tasks/\(fixture.taskId)/sessions/\(fixture.session.sessionId)/status"
        return [
            // The same trust as the CLI's: the system's CAs as a directory, plus the test CA.
            "--silent", "--show-error", "--fail", "--capath", "/etc/ssl/certs", "--cacert", server.certificates.ca.path,
            "-X", "PUT",
            "-H", "Accept: application/json", "-H", "Content-Type: application/json",
            "-H", "Authorization: Bearer \(fixture.session.token)",
            "-H", "X-Maestro-Session-Id: \(fixture.session.sessionId)",
            "-H", "Idempotency-Key: \(RandomIdentifier.make(prefix: "cli"))",
            "--data", #"{"status":"working"}"#,
            "\(server.url)\(path)?projectId=\(fixture.scope.projectId)",
        ]
    }

    /// Runs each side `runs` times, interleaved, after one checked warm-up each.
    func measure(runs: Int) throws -> Result {
        let ours = try ChildProcess.run(
            maestro, maestroArguments, environment: maestroEnvironment, capturingOutput: true)
        guard ours.standardOutput.hasPrefix("\(fixture.taskId): working") else {
            throw BenchError("maestro task update over HTTPS printed: \(ours.standardOutput)")
        }
        let reference = try ChildProcess.run(curl, curlArguments(), capturingOutput: true).standardOutput
        guard reference.contains(#""status":"working""#) else {
            throw BenchError("curl did not get the progress change back: \(reference)")
        }
        var maestroTimes: [Double] = []
        var curlTimes: [Double] = []
        for round in 0..<runs {
            let runMaestro = {
                maestroTimes.append(
                    try ChildProcess.run(maestro, maestroArguments, environment: maestroEnvironment).wallTime.seconds)
            }
            let runCurl = { curlTimes.append(try ChildProcess.run(curl, curlArguments()).wallTime.seconds) }
            if round % 2 == 0 {
                try runMaestro()
                try runCurl()
            } else {
                try runCurl()
                try runMaestro()
            }
        }
        return Result(maestro: maestroTimes.median, curl: curlTimes.median)
    }
}
