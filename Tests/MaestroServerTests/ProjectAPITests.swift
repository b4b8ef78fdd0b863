import Foundation
import HTTPTypes
import MaestroServer
import MaestroStore
import RedisClient
import RedisTestSupport
import Testing

@Suite("Projects and the archive over the HTTP API")
struct ProjectAPITests {
    @Test("projects are listed with counts; settings are validated and changed with project:updated")
    func projects() async throws {
        try await LiveServer.run { server in
            _ = try await server.createTask(project: "alpha")
            _ = try await server.createTask(project: "beta")
            let list = try await server.call(.get, "/api/projects")
            let projects = try #require(list.body["projects"] as? [[String: Any]])
            let ids = projects.compactMap { ($0["project"] as? [String: Any])?["id"] as? String }
            #expect(ids == ["alpha", "beta"])
            #expect((projects.first?["counts"] as? [String: Int])?["todo"] == 1)
            #expect(try await server.call(.get, "/api/projects", token: nil).status == .unauthorized)

            for body in [#"{"staleAfterSeconds":30}"#, #"{"archiveAfterDays":0}"#, #"{"colour":"red"}"#, "[]"] {
                let refused = try await server.call(.put, "/api/projects/alpha", json: body)
                #expect(refused.status == .badRequest, "\(body)")
            }
            let since = try server.lastEventID(project: "alpha")
            let changed = try await server.call(
                .put, "/api/projects/alpha", json: #"{"name":"Alpha","staleAfterSeconds":600,"archiveAfterDays":7}"#)
            let project = try #require((changed.body["project"] as? [String: Any]))
            #expect(project["staleAfterSeconds"] as? Int == 600 && project["name"] as? String == "Alpha")
            let read = try await server.call(.get, "/api/projects/alpha")
            #expect((read.body["project"] as? [String: Any])?["archiveAfterDays"] as? Int == 7)
            let events = try server.redis.connect().events(in: try ProjectScope(projectId: "alpha"), after: since)
            #expect(events.map(\.type) == [.projectUpdated])
        }
    }

    @Test("an archived task: out of the lists, listed with archived=true, read, restored with POST …/restore")
    func archive() async throws {
        try await LiveServer.run { server in
            let id = try await server.createTask()
            _ = try await server.call(.put, "/api/tasks/\(id)?projectId=p", json: #"{"status":"completed"}"#)
            let redis = server.redis.connect()
            _ = try redis.send(RedisCommand("HSET", "mae:{p}:task:\(id)", "updatedAt", "2020-01-01T00:00:00.000Z"))
            let scope = try ProjectScope(projectId: "p")
            while !(try redis.run(ArchiveSweep(scope: scope)).passDone) {}
            let live = try await server.call(.get, "/api/tasks?projectId=p&view=summary")
            #expect((live.body["tasks"] as? [Any])?.isEmpty == true)
            let archived = try await server.call(.get, "/api/tasks?projectId=p&view=summary&archived=true")
            let summary = (archived.body["tasks"] as? [[String: Any]])?.first
            #expect(summary?["id"] as? String == id && summary?["archived"] as? Bool == true)
            #expect(try await server.call(.get, "/api/tasks?projectId=p&archived=true&view=summary&status=todo").status
                == .badRequest)
            let read = try await server.call(.get, "/api/tasks/\(id)?projectId=p")
            #expect(read.body["archived"] as? Bool == true)
            let restored = try await server.call(.post, "/api/tasks/\(id)/restore?projectId=p")
            #expect(restored.status == .ok && restored.body["archived"] == nil && restored.body["status"] as? String == "completed")
            #expect(try await server.call(.post, "/api/tasks/\(id)/restore?projectId=p").status == .conflict)
            #expect(try await server.call(.post, "/api/tasks/nope/restore?projectId=p").status == .notFound)
        }
    }
}
