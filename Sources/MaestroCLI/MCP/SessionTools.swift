import MaestroDomain
import MaestroMCP
import MaestroStore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What `maestro mcp` offers an agent: the CLI's task commands as MCP tools, and tasks as resources. Each call
/// reads the session context from the environment and goes through the same backend as the CLI (Redis, or the
/// HTTP API when only MAESTRO_URL is set), so it gets the same results and the same refusals.
struct SessionTools: MCPService {
    /// Sends `notifications/resources/updated` for subscribed tasks.
    let watcher: TaskWatcher

    var info: ServerInfo { Self.serverInfo(taskIds: ProcessInfo.processInfo.environment["MAESTRO_TASK_IDS"]) }
    var tools: [ToolDefinition] { Self.all }

    func call(_ tool: ToolDefinition, _ arguments: ToolArguments, cancellation: CancellationFlag) throws -> ToolResult {
        do {
            switch tool.name {
            case Self.queueTasks.name: return try queueTasks(arguments)
            case Self.updateStatus.name: return try updateStatus(arguments)
            case Self.getAnswer.name: return try getAnswer(arguments, cancellation)
            case Self.showTask.name: return try showTask(arguments)
            case Self.listTasks.name: return try listTasks(arguments)
            default: return .failure("\(tool.name) is not implemented")
            }
        } catch let error as ToolArgumentError {
            throw error
        } catch {
            return Self.failure(error)
        }
    }

    private func queueTasks(_ arguments: ToolArguments) throws -> ToolResult {
        let taskIds = try arguments.strings("taskIds")
        let environment = try CLIEnvironment.current()
        let session = try environment.session()
        for taskId in taskIds { try Validation.identifier(taskId, "task id") }
        let result = try environment.backend().queue(
            taskIds, as: session, idempotencyKey: RandomIdentifier.make(prefix: "mcp"))
        let lines = result.tasks.map { task in
            task.queued ? "\(task.taskId): queued" : "\(task.taskId): already linked (\(task.status.rawValue))"
        }
        return .success(
            lines.joined(separator: "\n") + "\nReport `working` with update_status when you start on a task.",
            ["tasks": try Self.json(result.tasks)])
    }

    private func updateStatus(_ arguments: ToolArguments) throws -> ToolResult {
        let taskId = try arguments.string("taskId")
        let status = try arguments.value("status", as: SessionStatus.self)
        let notes = try arguments.optionalString("notes")
        let environment = try CLIEnvironment.current()
        let session = try environment.session()
        try Validation.identifier(taskId, "task id")
        if let notes { try Validation.text(notes, "notes", limit: Limits.notesBytes) }
        let change = try environment.backend().update(
            taskId, to: status, notes: notes, as: session, idempotencyKey: RandomIdentifier.make(prefix: "mcp"))
        var summary = "\(change.taskId): \(change.status.rawValue)"
        if change.previousStatus != change.status { summary += " (was \(change.previousStatus.rawValue))" }
        if change.eventIds.count > 1 { summary += "; the task is now \(change.taskStatus.rawValue)" }
        if status.expectsNotes && (notes ?? "").isEmpty {
            summary += ".\nWarning: \(status.rawValue) should say why in `notes`; report it again with notes."
        }
        if status == .needsInput { summary += "\nNow call get_answer with this taskId to wait for the answer." }
        var structured = try Self.json(change)
        if case .object(var members) = structured {
            members["eventIds"] = nil
            structured = .object(members)
        }
        return .success(summary, structured)
    }

    private func getAnswer(_ arguments: ToolArguments, _ cancellation: CancellationFlag) throws -> ToolResult {
        let taskId = try arguments.string("taskId")
        let waitSeconds =
            try arguments.optionalInteger("waitSeconds", in: 0...Self.maximumWaitSeconds) ?? Self.defaultWaitSeconds
        let environment = try CLIEnvironment.current()
        let session = try environment.session()
        try Validation.identifier(taskId, "task id")
        let wait = AnswerWait(backend: try environment.backend(), session: session, taskId: taskId)
        var entry = try wait.entry(within: .zero)
        // Only a needs_input question can be answered: waiting without one would only run out the clock.
        if entry.answer == nil && entry.status == .needsInput && waitSeconds > 0 {
            entry = try wait.entry(
                within: .seconds(waitSeconds), checkingEvery: .seconds(1), isCancelled: { cancellation.isCancelled })
        }
        var structured: [String: JSONValue] = [
            "taskId": .string(taskId), "sessionId": .string(session.sessionId), "answered": .bool(entry.answer != nil),
            "status": .string(entry.status.rawValue),
        ]
        structured["question"] = entry.notes.map(JSONValue.string)
        structured["answer"] = entry.answer.map(JSONValue.string)
        structured["answeredAt"] = entry.answeredAt.map(JSONValue.string)
        let summary: String
        if let answer = entry.answer {
            summary =
                "Answer to your question on \(taskId): \(answer)\n"
                + "Report `working` with update_status when you carry on."
        } else if entry.status != .needsInput {
            summary =
                "You have asked no question on \(taskId) (your status is \(entry.status.rawValue)): report "
                + "`needs_input` with the question in `notes` first, then call get_answer."
        } else {
            summary =
                "No answer yet to your question on \(taskId) (waited \(waitSeconds) s). "
                + "Call get_answer again to keep waiting."
        }
        return .success(summary, .object(structured))
    }

    private func showTask(_ arguments: ToolArguments) throws -> ToolResult {
        let taskId = try arguments.string("taskId")
        let environment = try CLIEnvironment.current()
        try Validation.identifier(taskId, "task id")
        let task = try environment.backend().task(taskId)
        return .success(Output.detail(task), try Self.json(task))
    }

    private func listTasks(_ arguments: ToolArguments) throws -> ToolResult {
        let status = try arguments.optionalValue("status", as: TaskStatus.self)
        let limit = try arguments.optionalInteger("limit", in: 1...1000) ?? 100
        let offset = try arguments.optionalInteger("offset", in: 0...Int(Int32.max)) ?? 0
        let environment = try CLIEnvironment.current()
        let page = try environment.backend().tasks(statuses: status.map { [$0] } ?? [], offset: offset, limit: limit)
        var summary = Output.table(page.tasks)
        if page.total > offset + page.tasks.count {
            summary += "\n(\(page.tasks.count) of \(page.total); offset \(offset + page.tasks.count) for more)"
        }
        return .success(
            summary,
            [
                "tasks": try Self.json(page.tasks), "total": .integer(Int64(page.total)),
                "offset": .integer(Int64(offset)),
            ])
    }

    /// A refusal or failure as a tool error the model can act on; the message is the CLI's.
    static func failure(_ error: any Error) -> ToolResult {
        if error is NoSession {
            return .failure(
                "No session found. maestro mcp acts as a session only when MAESTRO_SESSION_ID and "
                    + "MAESTRO_SESSION_TOKEN are in its environment (`maestro run` sets them; see docs/agents.md).")
        }
        let (code, message) = ExitStatus.classify(error)
        let label =
            switch code {
            case .refused: "Refused, nothing changed"
            case .notFound: "Not found"
            case .unauthorized: "Not allowed, nothing changed"
            case .usage: "Invalid input, nothing changed"
            case .unreachable: "Maestro is unreachable"
            case .library: "Maestro's Redis function library is missing or another version"
            default: "Failed"
            }
        return .failure("\(label): \(message)")
    }

    /// A record as JSON, with the spec's field names.
    static func json(_ value: some Encodable) throws -> JSONValue {
        try JSONParser.parse(Array(try JSONEncoder().encode(value)))
    }
}
