import Foundation
import ProcessTestSupport
import RedisTestSupport
import Testing

@Suite("maestro CLI over the HTTP API (only MAESTRO_URL set)")
struct CLIOverHTTPTests {
    @Test("session create, task create, queue, update, show and list behave as over Redis, with the same messages")
    func sameBehaviour() async throws {
        try await LiveServer.run { server in
            let base = [
                "MAESTRO_URL": "http://127.0.0.1:\(server.port)", "MAESTRO_PROJECT_ID": "p",
                "MAESTRO_USER_TOKEN": LiveServer.userToken, "PATH": "/usr/bin:/bin",
            ]
            let created = try await CLIProcess(environment: base).runDetached("session", "create", "--name", "remote")
            #expect(created.status == 0, "\(created.stderr)")
            var agent = base
            agent["MAESTRO_USER_TOKEN"] = nil
            for line in created.stdout.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                agent[parts[0]] = parts[1]
            }
            #expect(agent["MAESTRO_URL"] != nil && agent["MAESTRO_REDIS_URL"] == nil)
            let cli = CLIProcess(environment: agent)

            let task = try await cli.runDetached("task", "create", "Over HTTP").stdout.trimmingCharacters(
                in: .whitespacesAndNewlines)
            #expect(task.hasPrefix("task_"))
            #expect(try await cli.runDetached("task", "queue", task).stdout == "\(task): queued\n")
            let refused = try await cli.runDetached("task", "update", task, "--status", "completed")
            #expect(refused.status == 3)
            #expect(
                refused.stderr.contains("from queued to completed; allowed from queued: working, cancelled, queued"))
            let working = try await cli.runDetached("task", "update", task, "--status", "working")
            #expect(working.status == 0 && working.stdout.contains("task is now inprogress"), "\(working.stderr)")
            let shown = try await cli.runDetached("task", "show", task, "--json")
            #expect(shown.status == 0 && shown.stdout.contains(#""status":"inprogress""#))
            #expect(try await cli.runDetached("task", "list", "--status", "inprogress").stdout.contains(task))

            var impostor = agent
            impostor["MAESTRO_SESSION_TOKEN"] = "mst_" + String(repeating: "0", count: 64)
            let forbidden = try await CLIProcess(environment: impostor).runDetached(
                "task", "update", task, "--status", "blocked")
            #expect(forbidden.status == 5 && forbidden.stderr.contains("token does not match"))

            var offline = agent
            offline["MAESTRO_URL"] = "http://127.0.0.1:1"
            offline["MAESTRO_CONNECT_TIMEOUT"] = "0.5"
            let unreachable = try await CLIProcess(environment: offline).runDetached("task", "show", task)
            #expect(
                unreachable.status == 6 && unreachable.stderr.contains("cannot reach Maestro at http://127.0.0.1:1"))
        }
    }
}
