import Foundation
import MaestroDomain
import Testing

@Suite("Task JSON uses the spec's field names")
struct TaskRecordJSONTests {
    @Test("decodes the function library's task JSON and encodes it back with aggregateStatus")
    func roundTrip() throws {
        let json = """
            {"id":"t1","projectId":"p","title":"T","status":"inprogress","priority":"high","sessionIds":["s1"],
            "sessionProgress":[{"sessionId":"s1","status":"needs_input","lastUpdated":"2026-01-01T00:00:00.000Z",
            "notes":"A or B?"}],"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z","version":3}
            """
        let task = try JSONDecoder().decode(TaskRecord.self, from: Data(json.utf8))
        #expect(task.sessionProgress.first?.status == .needsInput)
        #expect(task.aggregateStatus == .needsInput)
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(task)) as? [String: Any]
        #expect(encoded?["aggregateStatus"] as? String == "needs_input")
        #expect(encoded?["sessionProgress"] != nil && encoded?["agentStatus"] == nil)
        #expect(try JSONDecoder().decode(TaskRecord.self, from: JSONEncoder().encode(task)) == task)
    }
}
