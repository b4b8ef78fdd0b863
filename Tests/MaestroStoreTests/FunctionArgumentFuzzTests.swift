import Foundation
import MaestroDomain
import MaestroStore
import RedisClient
import Testing

/// Every function of the library called directly with wrong arity, wrong keys and wrong types: a clean refusal
/// (one of our codes, or Redis's own argument error), never a Lua runtime error, and nothing changed.
@Suite("Function library called with bad arguments")
final class FunctionArgumentFuzzTests {
    let fixture: StoreFixture

    init() async throws { fixture = try await StoreFixture() }

    /// Every key and its serialized value, plus every stream's length: what "nothing changed" compares.
    func snapshot() throws -> [String: [UInt8]] {
        var state: [String: [UInt8]] = [:]
        for key in try fixture.connection.keysEverywhere("*") {
            if case .bulk(let bytes) = try fixture.connection.send(RedisCommand("DUMP", key)) { state[key] = bytes }
        }
        return state
    }

    static let cleanPrefixes = [
        "INVALID_INPUT", "INVALID_TRANSITION", "NOT_FOUND", "FORBIDDEN", "CONFLICT", "STALE_LIBRARY",
        "ERR Number of keys", "ERR Invalid number of keys", "ERR numkeys",
        "CROSSSLOT",  // on a cluster: declared keys in several slots, refused by Redis before the function runs
    ]

    @Test("4,000 seeded random calls across all functions: clean errors only, no change from any refused call")
    func randomCalls() throws {
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let session = try fixture.spawnSession(scope, taskIds: [task.id])
        _ = try fixture.connection.run(
            UpdateProgress(scope: scope, session: session, taskId: task.id, status: .working))
        let functions = try (fixture.connection.send(RedisCommand("FUNCTION", "LIST", "LIBRARYNAME", "maestro"))
            .array?.first?.array ?? [])
            .chunked()["functions"]?.array?.compactMap { $0.array?.chunked()["name"]?.string }.sorted() ?? []
        #expect(functions.count >= 20, "\(functions)")

        // MAESTRO_FUZZ_SEED explores other cases; the default keeps runs repeatable.
        let seed = ProcessInfo.processInfo.environment["MAESTRO_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x4D41_4553
        var random = SeededGenerator(seed: seed)
        let values: [[UInt8]] = [
            [], Array("0".utf8), Array("-1".utf8), Array("99999999999999999999".utf8), Array("1.5".utf8),
            Array(FunctionLibrary.version.utf8), Array(task.id.utf8), Array(session.sessionId.utf8),
            Array(session.token.utf8), Array("working".utf8), Array("needs_input".utf8), Array("spawning".utf8),
            Array("{p}".utf8), Array("a b\n".utf8), [0xFF, 0xFE, 0x00, 0x80], Array(repeating: 0x61, count: 70_000),
            Array("title".utf8), Array("status".utf8), Array("[]".utf8), Array("{\"a\":".utf8),
        ]
        let keys = [scope.eventStream, "mae:{other}:events", "mae:{p}:task:x", "plain", ""]
        var calls = 0
        var refused = 0
        let before = try snapshot()
        var state = before
        for _ in 0..<4000 {
            let function = functions.randomElement(using: &random)!
            let keyCount = [0, 1, 1, 1, 2].randomElement(using: &random)!
            var argv: [[UInt8]] = [Array("FCALL".utf8), Array(function.utf8), Array(String(keyCount).utf8)]
            for _ in 0..<keyCount { argv.append(Array(keys.randomElement(using: &random)!.utf8)) }
            let argumentCount = Int.random(in: 0...9, using: &random)
            for index in 0..<argumentCount {
                // Mostly the right version first, so calls get past the version check into the real validation.
                if index == 0 && Bool.random(using: &random) {
                    argv.append(Array(FunctionLibrary.version.utf8))
                } else {
                    argv.append(values.randomElement(using: &random)!)
                }
            }
            calls += 1
            let reply: RedisReply
            do {
                reply = try fixture.connection.send(RedisCommand(arguments: argv))
            } catch let error as RedisError where error.code == .server {
                refused += 1
                let clean = Self.cleanPrefixes.contains { error.message.hasPrefix($0) }
                #expect(clean, "\(function) \(argumentCount) args: \(error.message.prefix(200))")
                let after = try snapshot()
                #expect(after == state, "\(function) changed data although it refused: \(error.message.prefix(120))")
                state = after
                continue
            }
            // An accepted call (a valid read, or a write that happened to be valid) may change data; carry on.
            _ = reply
            state = try snapshot()
        }
        #expect(calls == 4000 && refused > 3000, "refused \(refused) of \(calls)")
    }
}

extension FunctionArgumentFuzzTests {
    /// The writing functions' names, from Redis.
    func writingFunctions() throws -> [String] {
        let listing = try fixture.connection.send(RedisCommand("FUNCTION", "LIST", "LIBRARYNAME", "maestro"))
        let functions = listing.array?.first?.array?.chunked()["functions"]?.array ?? []
        return functions.compactMap { entry -> String? in
            let fields = entry.array?.chunked() ?? [:]
            let flags = fields["flags"]?.array?.compactMap(\.string) ?? []
            return flags.contains("no-writes") ? nil : fields["name"]?.string
        }.sorted()
    }

    @Test("every writing function refuses a bad stream cap or idempotency key before any write")
    func badCommonArguments() throws {
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let session = try fixture.spawnSession(scope, taskIds: [task.id])
        let functions = try writingFunctions()
        #expect(functions.count >= 15, "\(functions)")
        let caps = ["-1", "1.5", "1e3", "0x10", "9007199254740993", "99999999999999999999", "", " 5", "inf", "nan"]
        let keys = ["has space", "tab\there", String(repeating: "k", count: 201), "\u{7f}", "é"]
        let before = try snapshot()
        var refused = 0
        for function in functions {
            let tail = [task.id, session.sessionId, session.token, "working", "", "", "", "", "", "", "", "", "", "", ""]
            for (key, cap) in caps.map({ ("", $0) }) + keys.map({ ($0, "0") }) {
                let argv = ["FCALL", function, "1", scope.eventStream, FunctionLibrary.version, key, cap] + tail
                do {
                    _ = try fixture.connection.send(RedisCommand(arguments: argv.map { Array($0.utf8) }))
                    Issue.record("\(function) accepted cap \(cap.debugDescription), key \(key.debugDescription)")
                } catch let error as RedisError {
                    #expect(error.message.hasPrefix("INVALID_INPUT"), "\(function): \(error.message.prefix(160))")
                    refused += 1
                }
            }
        }
        #expect(try snapshot() == before, "no refused call changed anything")
        #expect(refused == functions.count * (caps.count + keys.count))
    }

    @Test("a Redis user lacking any one command the functions run is refused (NOPERM) and changes nothing")
    func missingPermissions() throws {
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let session = try fixture.spawnSession(scope, taskIds: [task.id])
        let admin = fixture.connection
        let calls: [any StoreOperation] = [
            CreateTask(scope: scope, taskId: "perm-task", title: "Permission"),
            UpdateProgress(scope: scope, session: session, taskId: task.id, status: .working),
            UpdateTask(scope: scope, taskId: task.id, title: "Renamed"),
            QueueTasks(scope: scope, session: session, taskIds: [task.id]),
            SpawnSession(
                scope: scope, credentials: SessionCredentials(sessionId: "perm-s", token: RandomIdentifier.token()),
                spawnSource: .ui, taskIds: [task.id]),
            ChangeLifecycle(scope: scope, sessionId: session.sessionId, target: .active),
        ]
        let before = try snapshot()
        for missing in RedisPermissions.functionCommands where missing != "zcount" {
            let rules = try RedisPermissions.agentRules(projectId: scope.projectId, password: "perm-password-1234")
                .filter { $0 != "+" + missing }
            for (_, reply) in try admin.sendToEveryPrimary(
                RedisCommand(arguments: (["ACL", "SETUSER", "lacking"] + rules).map { Array($0.utf8) }))
            {
                #expect(reply.string == "OK", "\(reply)")
            }
            var configuration = fixture.server.configuration
            configuration.username = "lacking"
            configuration.password = "perm-password-1234"
            let lacking = RedisConnection(configuration)
            defer { lacking.close() }
            for call in calls {
                do {
                    _ = try run(call, on: lacking)
                    Issue.record("\(call.function) ran without \(missing)")
                } catch let error as MaestroError {
                    #expect(error.code == .permissionDenied, "\(call.function) without \(missing): \(error)")
                    #expect(error.message.contains(missing.uppercased()), "\(error.message)")
                } catch let error as RedisError {
                    // Commands the caller runs itself (before the function) are refused by Redis directly.
                    #expect(error.message.hasPrefix("NOPERM"), "\(call.function) without \(missing): \(error)")
                }
            }
        }
        #expect(try snapshot() == before, "no call that lacked a permission changed anything")
    }

    private func run(_ operation: some StoreOperation, on connection: RedisConnection) throws -> Any {
        try connection.run(operation)
    }
}

extension Array where Element == RedisReply {
    /// A flat RESP2 map ([name, value, name, value…]) by name.
    fileprivate func chunked() -> [String: RedisReply] {
        var result: [String: RedisReply] = [:]
        for index in stride(from: 0, to: count - 1, by: 2) {
            if let name = self[index].string { result[name] = self[index + 1] }
        }
        return result
    }
}
