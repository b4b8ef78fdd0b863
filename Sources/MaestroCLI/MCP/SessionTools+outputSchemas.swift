import MaestroDomain
import MaestroMCP

/// The shapes of the tools' structured results: the spec's field names, as `maestro task show --json` prints them.
extension SessionTools {
    private static let timestamp = JSONSchema.string("ISO-8601 UTC.")
    private static let sessionStatus = JSONSchema.string(values: SessionStatus.allCases.map(\.rawValue))
    private static let taskStatus = JSONSchema.string(values: TaskStatus.allCases.map(\.rawValue))

    static let progressSchema = JSONSchema.object(
        [
            "sessionId": JSONSchema.string(),
            "status": sessionStatus,
            "lastUpdated": timestamp,
            "notes": JSONSchema.string("Why; for needs_input, the session's question."),
            "answer": JSONSchema.string("A person's answer to the needs_input question."),
            "answeredAt": timestamp,
        ],
        required: ["sessionId", "status", "lastUpdated"])

    static let taskOutput = JSONSchema.object(
        [
            "id": JSONSchema.string(),
            "projectId": JSONSchema.string(),
            "title": JSONSchema.string(),
            "description": JSONSchema.string(),
            "status": JSONSchema.string(
                "The task's status, set by people.", values: TaskStatus.allCases.map(\.rawValue)),
            "priority": JSONSchema.string(values: TaskPriority.allCases.map(\.rawValue)),
            "sessionIds": JSONSchema.array(JSONSchema.string()),
            "sessionProgress": JSONSchema.array(progressSchema, description: "Each linked session's own status."),
            "parentId": JSONSchema.string(),
            "createdAt": timestamp,
            "updatedAt": timestamp,
            "version": JSONSchema.integer("Grows by one with every change to the task or its progress."),
            "aggregateStatus": JSONSchema.string(
                "All sessions' statuses in one word.", values: AggregateStatus.allCases.map(\.rawValue)),
            "extra": JSONSchema.anyObject,
            "archived": JSONSchema.boolean(),
        ],
        required: [
            "id", "projectId", "title", "status", "priority", "sessionIds", "sessionProgress", "createdAt",
            "updatedAt", "version", "aggregateStatus",
        ])

    static let listOutput = JSONSchema.object(
        [
            "tasks": JSONSchema.array(taskOutput),
            "total": JSONSchema.integer("How many tasks match the filter in all."),
            "offset": JSONSchema.integer(),
        ],
        required: ["tasks", "total", "offset"])

    static let queueOutput = JSONSchema.object(
        [
            "tasks": JSONSchema.array(
                JSONSchema.object(
                    [
                        "taskId": JSONSchema.string(),
                        "queued": JSONSchema.boolean("False when the session was already linked (nothing changed)."),
                        "status": sessionStatus,
                        "version": JSONSchema.integer(),
                    ],
                    required: ["taskId", "queued", "status", "version"]))
        ],
        required: ["tasks"])

    static let updateOutput = JSONSchema.object(
        [
            "taskId": JSONSchema.string(),
            "sessionId": JSONSchema.string(),
            "status": sessionStatus,
            "previousStatus": sessionStatus,
            "notes": JSONSchema.string(),
            "lastUpdated": timestamp,
            "taskStatus": taskStatus,
            "version": JSONSchema.integer(),
        ],
        required: ["taskId", "sessionId", "status", "previousStatus", "lastUpdated", "taskStatus", "version"])

    static let answerOutput = JSONSchema.object(
        [
            "taskId": JSONSchema.string(),
            "sessionId": JSONSchema.string(),
            "answered": JSONSchema.boolean(),
            "status": sessionStatus,
            "question": JSONSchema.string("Your needs_input notes."),
            "answer": JSONSchema.string(),
            "answeredAt": timestamp,
        ],
        required: ["taskId", "sessionId", "answered", "status"])
}
