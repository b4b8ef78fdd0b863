import MaestroDomain
import MaestroMCP
import MaestroStore

/// Tasks as MCP resources: `maestro://task/{taskId}`, the task as `show_task` returns it.
extension SessionTools {
    static let taskURIPrefix = "maestro://task/"
    static let jsonType = "application/json"

    var resourceTemplates: [ResourceTemplate] {
        [
            ResourceTemplate(
                uriTemplate: Self.taskURIPrefix + "{taskId}", name: "task", title: "Maestro task",
                description: "A task with every session's status and notes on it (JSON, as show_task returns it); "
                    + "subscribe to be told when it changes.",
                mimeType: Self.jsonType)
        ]
    }

    /// This session's open tasks (To Do and In Progress; the first 1,000 of those), none without a session.
    func listResources() throws(JSONRPCError) -> [ResourceDescription] {
        try Self.resourceCall(nil) { () throws -> [ResourceDescription] in
            let environment = try CLIEnvironment.current()
            guard let sessionId = environment.sessionId else { return [] }
            let page = try environment.backend().tasks(statuses: [.todo, .inprogress], offset: 0, limit: 1000)
            return page.tasks.filter { $0.sessionIds.contains(sessionId) }.map { task in
                ResourceDescription(
                    uri: Self.taskURIPrefix + task.id, name: task.id, title: task.title, mimeType: Self.jsonType)
            }
        }
    }

    func readResource(_ uri: String) throws(JSONRPCError) -> [ResourceText] {
        let task = try Self.task(at: uri)
        let text = try Self.resourceCall(uri) { try Self.json(task).canonicalText }
        return [ResourceText(uri: uri, mimeType: Self.jsonType, text: text)]
    }

    /// Watches a task that exists (an unknown one is refused like `resources/read`).
    func subscribe(_ uri: String) throws(JSONRPCError) {
        let task = try Self.task(at: uri)
        watcher.watch(task.id, seenVersion: task.version)
    }

    func unsubscribe(_ uri: String) {
        guard let taskId = try? Self.taskId(in: uri) else { return }
        watcher.unwatch(taskId)
    }

    /// The task id of a `maestro://task/{taskId}` URI.
    static func taskId(in uri: String) throws(JSONRPCError) -> String {
        guard uri.hasPrefix(taskURIPrefix), Validation.isIdentifier(String(uri.dropFirst(taskURIPrefix.count))) else {
            throw .invalidParams("'\(uri)' is not a task resource; use \(taskURIPrefix){taskId}")
        }
        return String(uri.dropFirst(taskURIPrefix.count))
    }

    /// The task a `maestro://task/{taskId}` URI names, read as `show_task` reads it.
    private static func task(at uri: String) throws(JSONRPCError) -> TaskRecord {
        let taskId = try taskId(in: uri)
        return try resourceCall(uri) { try CLIEnvironment.current().backend().task(taskId) }
    }

    /// Runs a backend call for a resource method: an unknown task is MCP's "resource not found", anything else an
    /// internal error with the CLI's message.
    private static func resourceCall<Value>(
        _ uri: String?, _ body: () throws -> Value
    ) throws(JSONRPCError) -> Value {
        do {
            return try body()
        } catch let error as MaestroError where error.code == .notFound {
            throw .resourceNotFound(uri ?? taskURIPrefix, error.message)
        } catch {
            throw .internalError(ExitStatus.classify(error).message)
        }
    }
}
