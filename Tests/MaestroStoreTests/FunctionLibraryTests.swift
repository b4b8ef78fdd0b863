import Foundation
import MaestroDomain
import MaestroStore
import RedisClient
import RedisTestSupport
import Testing

@Suite("The function library is versioned and checked")
struct FunctionLibraryTests {
    @Test("a missing library is a clear libraryMissing error")
    func missing() async throws {
        let server = try await RedisTestServer.start()
        defer { server.stop() }
        let connection = server.connect()
        #expect(try FunctionLibrary.loadedVersion(on: connection) == nil)
        do {
            _ = try connection.run(GetTask(scope: try ProjectScope(), taskId: "t"))
            Issue.record("expected an error")
        } catch let error as StoreError {
            #expect(error.code == .libraryMissing && error.message.contains("maestro setup"))
        }
    }

    @Test("a library of another version refuses every call before touching data")
    func stale() async throws {
        let server = try await RedisTestServer.start()
        defer { server.stop() }
        let connection = server.connect()
        try FunctionLibrary.install(on: connection)
        #expect(try FunctionLibrary.loadedVersion(on: connection) == FunctionLibrary.version)
        var command = CreateTask(scope: try ProjectScope(), taskId: "t", title: "x").command
        command.arguments[4] = Array("999".utf8)  // the version argument, as a newer client would send it
        let reply = try connection.pipeline([command])[0]
        guard case .error(let message) = reply else {
            Issue.record("expected a refusal, got \(reply)")
            return
        }
        #expect(message.hasPrefix("STALE_LIBRARY"))
        #expect(try connection.keyCountEverywhere() == 0)
    }

    @Test("every key of a project carries the project's hash tag")
    func hashTags() async throws {
        let fixture = try await StoreFixture()
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let session = try fixture.spawnSession(scope, taskIds: [task.id])
        _ = try fixture.connection.run(
            UpdateProgress(scope: scope, session: session, taskId: task.id, status: .working, idempotencyKey: "k"))
        let keys = try fixture.connection.keysEverywhere("*")
        #expect(keys.count >= 8)
        for key in keys {
            // Redis Cluster hashes only the first {...} of a key: it must be the project id in every key.
            let tag = key.split(separator: "{", maxSplits: 1).last?.split(separator: "}", maxSplits: 1).first
            #expect(key.hasPrefix("mae:{") && tag.map(String.init) == scope.projectId, "\(key)")
        }
    }
}

@Suite("Redis users hold every command the functions run")
struct RedisPermissionsTests {
    /// The commands the library checks up front (`library_commands` in Lua/register.lua).
    static func checkedCommands() throws -> Set<String> {
        var path = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        path.removeLast(3)  // Tests/MaestroStoreTests/FunctionLibraryTests.swift
        let source = try String(
            contentsOfFile: path.joined(separator: "/") + "/Sources/MaestroStore/Lua/register.lua", encoding: .utf8)
        let list = try #require(source.range(of: "local function library_commands")).upperBound
        let end = try #require(source.range(of: "\nend", range: list..<source.endIndex)).lowerBound
        let body = source[list..<end]
        return Set(body.matches(of: /\{ '([A-Z]+)'/).map { String($0.output.1).lowercased() })
    }

    @Test("the Swift list covers every command the library checks, and the deployed writers hold them all")
    func writersHoldEverything() throws {
        let checked = try Self.checkedCommands()
        #expect(checked.count >= 25)
        #expect(
            checked.isSubset(of: RedisPermissions.functionCommands),
            "\(checked.subtracting(RedisPermissions.functionCommands))")
        let acl = try String(contentsOfFile: DeployedUsers.aclFile, encoding: .utf8)
        for user in ["maestro-server", "maestro-agent"] {
            let line = try #require(acl.split(separator: "\n").first { $0.hasPrefix("user \(user) ") })
            let granted = Set(line.split(separator: " ").filter { $0.hasPrefix("+") }.map { String($0.dropFirst()) })
            let needed = Set(RedisPermissions.functionCommands + RedisPermissions.clientCommands)
            #expect(needed.isSubset(of: granted), "\(user) lacks \(needed.subtracting(granted).sorted())")
        }
    }
}
