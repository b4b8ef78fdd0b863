import MaestroDomain
import MaestroWebhooks
import Testing

@Suite("Slack text")
struct SlackMessageTests {
    static func text(_ type: String, _ payload: String, project: String = "web") throws -> String {
        SlackMessage.text(projectId: project, type: type, payload: try JSONParser.parse(Array(payload.utf8)))
    }

    @Test("a session's status on a task reads as a sentence, with its note")
    func sessionStatus() throws {
        #expect(
            try Self.text("task:session_status", #"{"taskId":"T1","sessionId":"S1","status":"needs_input","notes":"Use approach A or B?"}"#)
                == "[web] task T1: session S1 needs input — Use approach A or B?")
        #expect(
            try Self.text("task:session_status", #"{"taskId":"T1","sessionId":"S1","status":"blocked","notes":"Need the API key"}"#)
                == "[web] task T1: session S1 is blocked — Need the API key")
        #expect(
            try Self.text("task:session_status", #"{"taskId":"T1","sessionId":"S1","status":"failed","notes":null}"#)
                == "[web] task T1: session S1 failed")
        #expect(
            try Self.text("task:session_status", #"{"taskId":"T","sessionId":"S","status":"working","notes":""}"#)
                == "[web] task T: session S is working")
    }

    @Test("every event type has a line")
    func everyType() throws {
        let payloads: [EventType: String] = [
            .taskCreated: #"{"task":{"id":"T","title":"Fix the build","status":"todo"}}"#,
            .taskUpdated: #"{"task":{"id":"T","title":"Fix the build","status":"completed"}}"#,
            .sessionSpawn: #"{"session":{"id":"S","name":"builder"},"taskIds":[]}"#,
            .sessionFailed: #"{"sessionId":"S","error":"heartbeat lost"}"#,
            .taskSessionStatus: #"{"taskId":"T","sessionId":"S","status":"working"}"#,
        ]
        for type in EventType.allCases {
            let line = try Self.text(type.rawValue, payloads[type] ?? #"{"taskId":"T","sessionId":"S"}"#)
            #expect(line.hasPrefix("[web] ") && line.count > 12, "\(type): \(line)")
            #expect(!line.contains("?"), "\(type): \(line)")
        }
        #expect(try Self.text("task:created", payloads[.taskCreated]!) == "[web] task T created: Fix the build")
        #expect(try Self.text("task:updated", payloads[.taskUpdated]!) == "[web] task T updated: Fix the build (completed)")
        #expect(try Self.text("session:failed", payloads[.sessionFailed]!) == "[web] session S failed — heartbeat lost")
    }

    @Test("Slack's control characters are escaped and long notes are cut")
    func escaping() throws {
        let line = try Self.text(
            "task:session_status",
            #"{"taskId":"T","sessionId":"S","status":"needs_input","notes":"<!channel> A & B > C <https://x|y>"}"#,
            project: "a&b")
        #expect(line == "[a&amp;b] task T: session S needs input — &lt;!channel&gt; A &amp; B &gt; C &lt;https://x|y&gt;")
        let long = String(repeating: "é", count: 400)
        let cut = try Self.text("task:session_status", #"{"taskId":"T","sessionId":"S","status":"blocked","notes":"\#(long)"}"#)
        #expect(cut.hasSuffix(String(repeating: "é", count: 300) + "…"))
    }

    @Test("a Slack message is {\"text\": the line}")
    func body() throws {
        let message = try WebhookMessage(
            eventId: "1-0", type: "task:session_status", projectId: "web",
            payload: #"{"taskId":"T","sessionId":"S","status":"blocked","notes":"say \"hi\""}"#, format: .slack,
            secret: .generate(), timestamp: 1)
        let object = try JSONParser.parse(message.body).objectValue
        #expect(object?.keys.sorted() == ["text"])
        #expect(object?["text"]?.stringValue == #"[web] task T: session S is blocked — say "hi""#)
    }
}
