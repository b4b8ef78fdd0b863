import BenchReporting
import Dispatch
import Foundation
import RedisTestSupport

/// How soon `maestro mcp` can serve an agent: from launching the process, with an `initialize` request already
/// waiting on its stdin as an agent writes it, to reading the response line. Next to it, in the same rounds, a
/// `redis-cli PING` process from launch to exit: the cost of starting any small client and reaching Redis.
struct MCPStartup {
    /// Median wall times, in seconds.
    struct Result {
        var initialize: Double
        var redisCLIPing: Double
    }

    /// An MCP server must be ready for `initialize` within this (issue 16).
    static let target = 0.020

    private static let request = Data(
        (#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","#
            + #""capabilities":{},"clientInfo":{"name":"maestro-bench","version":"1"}}}"# + "\n").utf8)

    let tools: ExternalTools
    let server: RedisTestServer
    let fixture: BenchFixture

    /// Runs each side `runs` times, interleaved, after one checked warm-up of each.
    func measure(runs: Int) throws -> Result {
        _ = try answerInitialize()
        _ = try ChildProcess.run(tools.redisCLI, pingArguments)
        var ours: [Double] = []
        var reference: [Double] = []
        for round in 0..<runs {
            let runOurs = { ours.append(try answerInitialize().seconds) }
            let runReference = {
                reference.append(try ChildProcess.run(tools.redisCLI, pingArguments).wallTime.seconds)
            }
            if round % 2 == 0 {
                try runOurs()
                try runReference()
            } else {
                try runReference()
                try runOurs()
            }
        }
        return Result(initialize: ours.median, redisCLIPing: reference.median)
    }

    private var pingArguments: [String] { ["-h", "127.0.0.1", "-p", String(server.port), "PING"] }

    /// One `maestro mcp` process as an agent's session starts it: launched, answers `initialize`, then stdin is
    /// closed and it must exit with 0.
    private func answerInitialize() throws -> Duration {
        let process = Process()
        process.executableURL = tools.maestro
        process.arguments = ["mcp"]
        var environment = ProcessInfo.processInfo.environment
        environment["MAESTRO_REDIS_URL"] = server.url
        environment["MAESTRO_PROJECT_ID"] = fixture.scope.projectId
        environment["MAESTRO_SESSION_ID"] = fixture.session.sessionId
        environment["MAESTRO_SESSION_TOKEN"] = fixture.session.token
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        input.fileHandleForWriting.write(Self.request)
        // As in ChildProcess: the termination handler, not `waitUntilExit()` alone, which polls every 50 ms.
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }

        let clock = ContinuousClock()
        let start = clock.now
        try process.run()
        var line: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let descriptor = output.fileHandleForReading.fileDescriptor
        while !line.contains(0x0A) {
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { break }
            line += buffer[..<count]
        }
        let elapsed = clock.now - start

        try input.fileHandleForWriting.close()
        exited.wait()
        process.waitUntilExit()
        let reply = String(decoding: line, as: UTF8.self)
        guard reply.contains(#""protocolVersion":"2025-06-18""#), reply.contains(#""id":1"#) else {
            throw BenchError("maestro mcp did not answer initialize as expected: \(reply)")
        }
        guard process.terminationReason == .exit && process.terminationStatus == 0 else {
            throw BenchError("maestro mcp exited with \(process.terminationStatus) after stdin closed")
        }
        return elapsed
    }
}
