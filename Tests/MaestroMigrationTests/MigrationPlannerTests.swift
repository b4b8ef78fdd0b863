import MaestroDomain
import MaestroMigration
import MaestroStore
import Testing

@Suite("planning a migration: links, parents, order, duplicates (pure)")
struct MigrationPlannerTests {
    func plan(
        tasks: [String], sessions: [String] = [], projects: [MappedProject] = [], only: String? = nil
    ) throws -> (batches: [ImportBatch], report: MigrationReport) {
        var report = MigrationReport(dryRun: false)
        let batches = MigrationPlanner.batches(
            tasks: try tasks.map { try mapTask($0, stem: (try object($0)["id"]?.stringValue) ?? "x") },
            sessions: try sessions.map { try mapSession($0, stem: (try object($0)["id"]?.stringValue) ?? "x") },
            projects: projects, only: only, report: &report)
        return (batches, report)
    }

    @Test("tasks are the authority on links; a session keeps its own order for confirmed links")
    func links() throws {
        let (batches, report) = try plan(
            tasks: [
                #"{"id":"t1","title":"A","sessionIds":["s1","s2"],"createdAt":1}"#,
                #"{"id":"t2","title":"B","sessionIds":["s1"],"createdAt":2}"#,
                #"{"id":"t3","title":"C","sessionIds":["s1"],"createdAt":3}"#,
            ],
            sessions: [#"{"id":"s1","projectId":"proj_1","taskIds":["t2","t9","t1"]}"#])
        let batch = try #require(batches.first)
        let session = try #require(batch.sessions.first?.session)
        #expect(session.taskIds == ["t2", "t1", "t3"])
        #expect(session.extra?["taskIds"] == .array([.string("t2"), .string("t9"), .string("t1")]))
        #expect(report.warnings.contains { $0.id == "s1" && $0.message.contains("t9") })
        #expect(report.warnings.contains { $0.id == "t1" && $0.message.contains("s2") }, "s2 has no session file")
    }

    @Test("parents first; a parent outside the data or closing a cycle is dropped and kept as extra data")
    func parents() throws {
        let (batches, report) = try plan(tasks: [
            #"{"id":"child","title":"C","parentId":"parent","createdAt":1}"#,
            #"{"id":"parent","title":"P","createdAt":2}"#,
            #"{"id":"orphan","title":"O","parentId":"gone","createdAt":3}"#,
            #"{"id":"a","title":"A","parentId":"b","createdAt":4}"#,
            #"{"id":"b","title":"B","parentId":"a","createdAt":5}"#,
        ])
        let tasks = try #require(batches.first).tasks
        // The cycle is cut at the task whose parent link closes it (b, reached from a); b then comes first.
        #expect(tasks.map(\.id) == ["parent", "child", "orphan", "b", "a"])
        let orphan = try #require(tasks.first { $0.id == "orphan" })
        #expect(orphan.parentId == nil && orphan.extra?["parentId"] == .string("gone"))
        #expect(tasks.first { $0.id == "b" }?.parentId == nil && tasks.first { $0.id == "a" }?.parentId == "b")
        #expect(report.fallbacks.filter { $0.field == "parentId" }.count == 2)
        let position = Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($1.id, $0) })
        for task in tasks { if let parent = task.parentId { #expect(position[parent]! < position[task.id]!) } }
    }

    @Test("two files with one id: the later updatedAt wins, the other is a failure; --project filters")
    func duplicatesAndFilter() throws {
        var report = MigrationReport(dryRun: false)
        let older = try mapTask(#"{"id":"t1","title":"Old","updatedAt":1}"#, stem: "t1", directory: nil)
        var newer = try mapTask(#"{"id":"t1","title":"New","updatedAt":2}"#, stem: "t1", directory: "default")
        newer.path = "tasks/default/t1.json"
        let other = try mapTask(#"{"id":"t2","title":"Other"}"#, stem: "t2", directory: "elsewhere")
        let batches = MigrationPlanner.batches(
            tasks: [older, newer, other], sessions: [], projects: [], only: "default", report: &report)
        #expect(batches.map(\.projectId) == ["default"])
        #expect(batches.first?.tasks.map(\.title) == ["New"])
        #expect(report.failures.count == 1 && report.failures.first?.path == "tasks/t1.json")
        #expect(report.tasks.failed == 1)
    }
}
