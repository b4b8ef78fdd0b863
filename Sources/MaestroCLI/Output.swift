import MaestroDomain

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How records look on the terminal: one compact JSON line for scripts, or short text for people.
enum Output {
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// A task with every session's progress.
    static func detail(_ task: TaskRecord) -> String {
        var lines = [
            "\(task.id)  \(task.title)",
            "  status: \(task.status.rawValue) (\(task.status.label))   priority: \(task.priority.rawValue)"
                + "   version: \(task.version)",
            "  sessions: \(task.aggregateStatus.rawValue) (\(task.sessionIds.count))   updated: \(task.updatedAt)",
        ]
        if let suggestion = task.suggestedStatus {
            let reason = suggestion == .completed ? "a session completed it" : "no session completed it"
            lines.append("  suggested: \(suggestion.rawValue) (every session has finished; \(reason))")
        }
        if let parentId = task.parentId { lines.append("  parent: \(parentId)") }
        if let description = task.description { lines.append("  description: \(description)") }
        if let extra = task.extra {
            lines.append("  extra data (--json shows it): " + extra.keys.sorted().joined(separator: ", "))
        }
        for entry in task.sessionProgress {
            var line = "  \(entry.status.indicator) \(entry.sessionId)  \(entry.status.rawValue)  \(entry.lastUpdated)"
            if let staleSince = entry.staleSince { line += "  STALE since \(staleSince): no report since" }
            if let notes = entry.notes { line += "  \(notes)" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// One line per task: id, status, aggregate session status, session count, title.
    static func table(_ tasks: [TaskRecord]) -> String {
        let idWidth = max(2, tasks.map(\.id.count).max() ?? 0)
        let header = pad("ID", idWidth) + "  " + pad("STATUS", 10) + "  " + pad("SESSIONS", 13) + "  #  TITLE"
        let rows = tasks.map { task in
            pad(task.id, idWidth) + "  " + pad(task.status.rawValue, 10) + "  "
                + pad(task.aggregateStatus.rawValue, 13) + "  " + String(task.sessionIds.count) + "  " + task.title
        }
        return ([header] + rows).joined(separator: "\n")
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
