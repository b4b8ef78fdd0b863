import MaestroDomain

/// One line a person can read for an event, posted to a Slack incoming webhook as `{"text": …}`:
/// `[project] task T: session S needs input — Use approach A or B?`. Slack's control characters (&, <, >) are
/// escaped, so nothing in a title or note becomes a link or a mention.
public enum SlackMessage {
    /// How many characters of a title, note or error a line keeps.
    public static let longestText = 300

    /// The line for an event of `type` in `projectId` with `payload` (a JSON object).
    public static func text(projectId: String, type: String, payload: JSONValue) -> String {
        let fields = payload.objectValue ?? [:]
        let task = fields["task"]?.objectValue ?? [:]
        let session = fields["session"]?.objectValue ?? [:]
        let taskId = fields["taskId"]?.stringValue ?? task["id"]?.stringValue ?? "?"
        let sessionId = fields["sessionId"]?.stringValue ?? session["id"]?.stringValue ?? "?"
        let title = task["title"]?.stringValue.map { ": " + quoted($0) } ?? ""
        func note(_ name: String) -> String {
            guard let text = fields[name]?.stringValue, !text.isEmpty else { return "" }
            return " — " + quoted(text)
        }
        let line: String =
            switch EventType(rawValue: type) {
            case .taskSessionStatus:
                "task \(taskId): session \(sessionId) \(phrase(fields["status"]?.stringValue))\(note("notes"))"
            case .taskCreated: "task \(taskId) created\(title)"
            case .taskUpdated:
                "task \(taskId) updated\(title)" + (task["status"]?.stringValue.map { " (\(quoted($0)))" } ?? "")
            case .taskDeleted: "task \(taskId) deleted"
            case .taskInputAnswer: "task \(taskId): session \(sessionId) got an answer\(note("answer"))"
            case .taskSessionStale: "task \(taskId): session \(sessionId) has stopped reporting"
            case .taskArchived: "task \(taskId) archived"
            case .taskRestored: "task \(taskId) restored\(title)"
            case .projectUpdated: "project settings changed"
            case .sessionSpawn:
                "session \(sessionId) spawned" + (session["name"]?.stringValue.map { " (\(quoted($0)))" } ?? "")
            case .sessionActive: "session \(sessionId) is active"
            case .sessionStopped: "session \(sessionId) stopped"
            case .sessionFailed: "session \(sessionId) failed\(note("error"))"
            case .sessionUnresponsive: "session \(sessionId) is not answering (its heartbeat is late)"
            case .sessionResponsive: "session \(sessionId) answers again"
            case nil: quoted(type)
            }
        return "[\(escaped(projectId))] " + line
    }

    /// What a session's status says about it, in words.
    static func phrase(_ status: String?) -> String {
        switch status.flatMap(SessionStatus.init(rawValue:)) {
        case .queued: "is queued"
        case .working: "is working"
        case .needsInput: "needs input"
        case .blocked: "is blocked"
        case .completed: "completed"
        case .failed: "failed"
        case .cancelled: "was cancelled"
        case nil: "reported " + quoted(status ?? "?")
        }
    }

    /// Text from the event, cut to `longestText` characters and escaped.
    static func quoted(_ text: String) -> String {
        escaped(text.count > longestText ? String(text.prefix(longestText)) + "…" : text)
    }

    /// Slack's three control characters as entities.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            default: result.append(character)
            }
        }
        return result
    }
}
