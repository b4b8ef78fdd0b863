import MaestroDomain
import MaestroMigration
import Testing

/// Parses a JSON object literal written in a test.
func object(_ json: String) throws -> [String: JSONValue] {
    try #require(try JSONParser.parse(Array(json.utf8)).objectValue)
}

func mapTask(_ json: String, stem: String = "task_1", directory: String? = "proj_1") throws -> MappedTask {
    try LegacyTaskMapper.map(try object(json), fileStem: stem, directory: directory, path: "tasks/\(stem).json")
}

func mapSession(_ json: String, stem: String = "sess_1") throws -> MappedSession {
    try LegacySessionMapper.map(try object(json), fileStem: stem, path: "sessions/\(stem).json")
}

@Suite("spec §7 mapping of old records (pure)")
struct LegacyMappingTests {
    static let taskRows: [(old: String, new: TaskStatus, isFallback: Bool)] = [
        ("pending", .todo, false), ("in_progress", .inprogress, false), ("completed", .completed, false),
        ("blocked", .inprogress, false), ("todo", .todo, false), ("cancelled", .cancelled, false),
        ("inprogress", .inprogress, false), ("archived", .todo, true), ("", .todo, true), ("PENDING", .todo, true),
    ]

    @Test("every old task status row of the table, unknown values fall back to todo and are reported")
    func taskStatusRows() throws {
        for row in Self.taskRows {
            let mapped = try mapTask(#"{"id":"task_1","title":"T","status":"\#(row.old)"}"#)
            #expect(mapped.record.status == row.new, "\(row.old)")
            let fallback = mapped.notes.fallbacks.first { $0.field == "status" }
            #expect((fallback != nil) == row.isFallback, "\(row.old)")
            #expect(fallback?.mappedTo == (row.isFallback ? "todo" : nil))
            // The old value stays with the record whenever the mapping loses it.
            let keeps = row.isFallback || row.old == "blocked"
            #expect(mapped.record.extra?["status"] == (keeps ? .string(row.old) : nil), "\(row.old)")
        }
        let missing = try mapTask(#"{"id":"task_1","title":"T"}"#)
        #expect(missing.record.status == .todo && missing.notes.fallbacks.contains { $0.field == "status" })
        let number = try mapTask(#"{"id":"task_1","title":"T","status":3}"#)
        #expect(number.record.status == .todo && number.record.extra?["status"] == .integer(3))
    }

    @Test("one progress entry per old sessionId, from agentStatus, lastUpdated = old updatedAt")
    func progressFromAgentStatus() throws {
        var cases: [(String, SessionStatus, Bool)] = SessionStatus.allCases.map { ($0.rawValue, $0, false) }
        cases += [("skipped", .cancelled, false), ("idle", .queued, true), ("done", .queued, true)]
        for (old, expected, isFallback) in cases {
            let mapped = try mapTask(
                #"{"id":"task_1","title":"T","sessionIds":["sess_a","sess_b"],"agentStatus":"\#(old)","#
                    + #""updatedAt":1700000000123}"#)
            #expect(mapped.record.sessionIds == ["sess_a", "sess_b"])
            #expect(mapped.record.sessionProgress.map(\.sessionId) == ["sess_a", "sess_b"])
            #expect(mapped.record.sessionProgress.allSatisfy { $0.status == expected }, "\(old)")
            #expect(mapped.record.sessionProgress.allSatisfy { $0.lastUpdated == "2023-11-14T22:13:20.123Z" })
            #expect(mapped.notes.fallbacks.contains { $0.field == "agentStatus" } == isFallback, "\(old)")
            // agentStatus is dropped when it was mapped; an unmappable one is kept.
            #expect((mapped.record.extra?["agentStatus"] != nil) == isFallback, "\(old)")
        }
    }

    @Test("sessionStatus is the other name of agentStatus; agentStatus wins when both exist")
    func sessionStatusVariant() throws {
        let legacy = try mapTask(#"{"id":"task_1","title":"T","sessionIds":["s1"],"sessionStatus":"blocked"}"#)
        #expect(legacy.record.sessionProgress.first?.status == .blocked && legacy.record.extra == nil)
        let skipped = try mapTask(#"{"id":"task_1","title":"T","sessionIds":["s1"],"sessionStatus":"skipped"}"#)
        #expect(skipped.record.sessionProgress.first?.status == .cancelled)
        let both = try mapTask(
            #"{"id":"task_1","title":"T","sessionIds":["s1"],"agentStatus":"working","sessionStatus":"failed"}"#)
        #expect(both.record.sessionProgress.first?.status == .working)
        #expect(both.record.extra?["sessionStatus"] == .string("failed"))
        let none = try mapTask(#"{"id":"task_1","title":"T","sessionIds":["s1"]}"#)
        #expect(none.record.sessionProgress.first?.status == .queued)
        #expect(!none.notes.fallbacks.contains { $0.field.hasSuffix("Status") })
        let unlinked = try mapTask(#"{"id":"task_1","title":"T","agentStatus":"working"}"#)
        #expect(unlinked.record.sessionProgress.isEmpty && unlinked.record.extra?["agentStatus"] == .string("working"))
    }

    @Test("every old session status row: none left running, the old value kept as legacyStatus")
    func sessionStatusRows() throws {
        let rows: [(String, SessionLifecycle, String?, Bool)] = [
            ("spawning", .stopped, "spawning", false), ("running", .stopped, "running", false),
            ("idle", .stopped, "idle", false), ("working", .stopped, "working", false),
            ("completed", .stopped, "completed", false), ("stopped", .stopped, nil, false),
            ("failed", .failed, nil, false), ("zombie", .stopped, "zombie", true),
        ]
        for (old, lifecycle, legacy, isFallback) in rows {
            let mapped = try mapSession(#"{"id":"sess_1","projectId":"proj_1","status":"\#(old)"}"#)
            #expect(mapped.record.status == lifecycle && mapped.record.legacyStatus == legacy, "\(old)")
            #expect(mapped.notes.fallbacks.contains { $0.field == "status" } == isFallback, "\(old)")
        }
    }

    @Test("fields with no place in the new model are kept as extra data, known and unknown alike")
    func extraFields() throws {
        let mapped = try mapTask(
            #"""
            {"id":"task_1","projectId":"proj_1","title":"T","initialPrompt":"Do it","skillIds":["s"],
             "agentIds":["a"],"dependencies":["task_0"],"timeline":[{"at":1,"what":"x"}],"startedAt":1,
             "completedAt":2,"metadata":{"k":{"deep":[1,2.5,null,true]}},"somethingNew":"?"}
            """#)
        let names = [
            "initialPrompt", "skillIds", "agentIds", "dependencies", "timeline", "startedAt", "completedAt",
            "metadata", "somethingNew",
        ]
        #expect(mapped.record.extra.map { Set($0.keys) } == Set(names))
        let deep = JSONValue.array([.integer(1), .double(2.5), .null, .bool(true)])
        #expect(mapped.record.extra?["metadata"] == .object(["k": .object(["deep": deep])]))
        #expect(mapped.notes.extraFields.sorted() == names.sorted())
        let session = try mapSession(
            #"{"id":"sess_1","status":"running","env":{"A":"1"},"hostname":"h","platform":"linux","events":[],"#
                + #""startedAt":1700000000000,"lastActivity":1700000001000}"#)
        #expect(
            Set(session.record.extra?.keys.map { $0 } ?? [])
                == ["env", "hostname", "platform", "events", "startedAt", "lastActivity"])
        #expect(session.record.createdAt == "2023-11-14T22:13:20.000Z", "startedAt stands in for createdAt")
        #expect(session.record.updatedAt == "2023-11-14T22:13:21.000Z", "lastActivity stands in for updatedAt")
        #expect(session.notes.fallbacks.isEmpty)
    }

    @Test("ids, projects and names: file name and directory, validation, cleaning")
    func identity() throws {
        let flat = try mapTask(#"{"title":"T","projectId":"proj_9"}"#, stem: "task_7", directory: nil)
        #expect(flat.record.id == "task_7" && flat.record.projectId == "proj_9")
        let noProject = try mapTask(#"{"id":"task_7","title":"T"}"#, stem: "task_7", directory: nil)
        #expect(noProject.record.projectId == "default")
        let moved = try mapTask(#"{"id":"task_8","title":"T","projectId":"other"}"#, stem: "task_7")
        #expect(moved.record.projectId == "proj_1" && moved.record.id == "task_8")
        #expect(moved.record.extra?["projectId"] == .string("other") && moved.notes.warnings.count == 2)
        for bad in ["a b", "a{b}", "a/b", "a\\nb", "", String(repeating: "x", count: 129)] {
            #expect(throws: MappingFailure.self, "\(bad)") { try mapTask(#"{"id":"\#(bad)","title":"T"}"#) }
        }
        #expect(throws: MappingFailure.self) { try mapSession(#"{"id":"s1","projectId":"p{1}"}"#) }
        let titled = try mapTask(#"{"id":"task_1","title":"  Two\nlines  "}"#)
        #expect(titled.record.title == "Two lines" && titled.record.extra?["title"] == .string("  Two\nlines  "))
        let long = try mapTask(#"{"id":"task_1","title":"\#(String(repeating: "é", count: 600))"}"#)
        #expect(long.record.title.unicodeScalars.count == 500 && long.notes.fallbacks.contains { $0.field == "title" })
        let untitled = try mapTask(#"{"id":"task_1"}"#)
        #expect(untitled.record.title == "Untitled task task_1")
        let links = try mapTask(#"{"id":"task_1","title":"T","sessionIds":["s1","bad id","s1",7,"s2"]}"#)
        #expect(links.record.sessionIds == ["s1", "s2"] && links.record.extra?["sessionIds"] != nil)
    }

    @Test("times: epoch milliseconds, digit strings and ISO text; unreadable ones fall back and are kept")
    func times() throws {
        let mapped = try mapTask(
            #"{"id":"t","title":"T","createdAt":"1700000000000","updatedAt":"2024-02-29T10:00:00+01:00"}"#)
        #expect(mapped.record.createdAt == "2023-11-14T22:13:20.000Z")
        #expect(mapped.record.updatedAt == "2024-02-29T09:00:00.000Z")
        let bad = try mapTask(#"{"id":"t","title":"T","createdAt":"yesterday","updatedAt":1700000000000}"#)
        #expect(bad.record.createdAt == "2023-11-14T22:13:20.000Z")
        #expect(bad.record.extra?["createdAt"] == .string("yesterday"))
        let none = try mapTask(#"{"id":"t","title":"T"}"#)
        #expect(none.record.createdAt == "1970-01-01T00:00:00.000Z" && none.record.updatedAt == none.record.createdAt)
        #expect(LegacyTimestamp.iso(milliseconds: 951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(LegacyTimestamp.iso(milliseconds: 253_402_300_799_999) == "9999-12-31T23:59:59.999Z")
        #expect(LegacyTimestamp.iso(milliseconds: -1) == nil)
        #expect(LegacyTimestamp.milliseconds(iso: "2023-02-29T00:00:00Z") == nil)
        #expect(LegacyTimestamp.milliseconds(iso: "2023-11-14T22:13:20.5Z") == 1_700_000_000_500)
        for milliseconds: Int64 in [0, 1, 86_399_999, 1_700_000_000_123, 4_102_444_800_000] {
            let text = try #require(LegacyTimestamp.iso(milliseconds: milliseconds))
            #expect(LegacyTimestamp.milliseconds(iso: text) == milliseconds)
        }
    }

    @Test("projects keep name and description; other fields become extra data")
    func project() throws {
        let mapped = try LegacyProjectMapper.map(
            try object(#"{"id":"proj_1","name":"One","description":"First","workingDir":"/src","createdAt":1}"#),
            fileStem: "proj_1", path: "projects/proj_1.json")
        #expect(mapped.record.name == "One" && mapped.record.description == "First")
        #expect(mapped.record.extra == ["workingDir": .string("/src")])
        let unnamed = try LegacyProjectMapper.map(try object("{}"), fileStem: "proj_2", path: "projects/proj_2.json")
        #expect(unnamed.record.id == "proj_2" && unnamed.record.name == "proj_2")
    }
}
