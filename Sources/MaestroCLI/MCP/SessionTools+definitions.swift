import MaestroDomain
import MaestroMCP
import MaestroStore

/// The tools' names, descriptions and input schemas: the descriptions are how an agent learns when to report what.
extension SessionTools {
    /// The longest `get_answer` wait: long enough for a person to answer, short enough that no MCP client's
    /// request timeout is the first to give up when configured as docs/agents.md says.
    static let maximumWaitSeconds = 600
    /// The wait when `waitSeconds` is not given: under Codex's default tool timeout of 60 s.
    static let defaultWaitSeconds = 30

    static let taskIdSchema = JSONSchema.string(
        "A task id, as given to you (letters, digits and . _ : -, up to 128 characters).",
        pattern: "^[A-Za-z0-9._:-]{1,128}$")

    static let queueTasks = ToolDefinition(
        name: "queue_tasks", title: "Queue tasks",
        description: """
            Link tasks to your Maestro session with status `queued`: call it first, with every task you were \
            given or are about to take on, so people see in the dashboard who works on what. All or nothing: an \
            unknown or cancelled task refuses the whole call and nothing is queued. A task already linked to your \
            session is left as it is. Then report `working` with update_status when you start on a task.
            """,
        inputSchema: JSONSchema.object(
            [
                "taskIds": JSONSchema.array(
                    taskIdSchema, description: "The tasks to queue.", minItems: 1, maxItems: 1000)
            ],
            required: ["taskIds"], closed: true),
        outputSchema: Self.queueOutput, idempotent: true)

    static let updateStatus = ToolDefinition(
        name: "update_status", title: "Report your status on a task",
        description: """
            Report your own status on a task: people watch it live in the dashboard, so report every change as \
            it happens. `working` when you start or resume work on the task. `needs_input` with your question in \
            `notes` when you need a person's decision ("Use approach A or B?"), then call get_answer to wait for \
            the reply, and report `working` again when you carry on. `blocked` with what is missing in `notes` \
            when an external resource stops you (a credential, a service, an access right); `working` again once \
            it is there. `completed` with a short summary in `notes` when your part of the task is done. `failed` \
            with what went wrong in `notes` when you cannot finish (`working` again to retry). `cancelled` when \
            you stop for good. Allowed changes: queued → working; working → completed, blocked, needs_input, \
            failed; blocked, needs_input, failed → working; any → cancelled; repeating your current status \
            refreshes it and its notes. Anything else is refused with your current status and the allowed \
            targets, and changes nothing. This sets only your session's status: the task's own status (todo, \
            inprogress, completed, cancelled) is set by people — your first `working` moves a todo task to \
            inprogress.
            """,
        inputSchema: JSONSchema.object(
            [
                "taskId": taskIdSchema,
                "status": JSONSchema.string(
                    "Your new status on the task.", values: SessionStatus.allCases.map(\.rawValue)),
                "notes": JSONSchema.string(
                    "Why, up to 4 KiB: the question for needs_input, what is missing for blocked, what went wrong "
                        + "for failed, a summary for completed. Leave out to clear earlier notes.",
                    maxLength: Limits.notesBytes),
            ],
            required: ["taskId", "status"], closed: true),
        outputSchema: Self.updateOutput)

    static let getAnswer = ToolDefinition(
        name: "get_answer", title: "Wait for a person's answer",
        description: """
            After update_status with status `needs_input` and your question in `notes`, wait here for a \
            person's answer (they answer in the Maestro dashboard). Returns as soon as the answer arrives \
            (answered: true, the text in `answer`), or with answered: false once `waitSeconds` passed without \
            one — then call get_answer again to keep waiting, or carry on with something else. Returns at once \
            (answered: false) when you have not asked a question on the task. Answering does not change your \
            status: report `working` with update_status when you carry on.
            """,
        inputSchema: JSONSchema.object(
            [
                "taskId": taskIdSchema,
                "waitSeconds": JSONSchema.integer(
                    "How long to wait for the answer, in seconds (0: just look; default \(defaultWaitSeconds)).",
                    minimum: 0, maximum: maximumWaitSeconds),
            ],
            required: ["taskId"], closed: true),
        outputSchema: Self.answerOutput, readOnly: true, idempotent: true, mayWait: true)

    static let showTask = ToolDefinition(
        name: "show_task", title: "Show a task",
        description: """
            Read one task: its title and description (what to do), its status set by people (todo, inprogress, \
            completed, cancelled), its priority, and every session's status and notes on it — yours included, \
            with the answer to your last question.
            """,
        inputSchema: JSONSchema.object(["taskId": taskIdSchema], required: ["taskId"], closed: true),
        outputSchema: Self.taskOutput, readOnly: true, idempotent: true)

    static let listTasks = ToolDefinition(
        name: "list_tasks", title: "List tasks",
        description: """
            List the project's tasks in creation order, optionally only those with one task status, a page at a \
            time (`total` tells how many match; raise `offset` for the next page).
            """,
        inputSchema: JSONSchema.object(
            [
                "status": JSONSchema.string(
                    "Only tasks with this status (set by people).", values: TaskStatus.allCases.map(\.rawValue)),
                "limit": JSONSchema.integer("At most this many tasks (default 100).", minimum: 1, maximum: 1000),
                "offset": JSONSchema.integer("Skip this many tasks (default 0).", minimum: 0, maximum: Int(Int32.max)),
            ],
            closed: true),
        outputSchema: Self.listOutput, readOnly: true, idempotent: true)

    static let all = [queueTasks, updateStatus, getAnswer, showTask, listTasks]

    /// The server's description, naming the session's tasks when `maestro run` handed them on (`MAESTRO_TASK_IDS`,
    /// space-separated; anything but valid ids is left out, and at most `namedTasks` are named).
    static func serverInfo(taskIds: String?) -> ServerInfo {
        var instructions = """
            Maestro shows people, live, what each AI agent session is doing on each task. You act as one session. \
            When you take on tasks, queue_tasks them; report `working` with update_status when you start; report \
            `needs_input` (question in notes) and call get_answer when you need a decision; `blocked` (reason in \
            notes) when something external is missing; `completed` or `failed` (with notes) when you finish. \
            show_task reads a task, list_tasks lists them. Tasks are also resources: maestro://task/{taskId}.
            """
        let tasks = (taskIds ?? "").split(separator: " ").map(String.init).filter(Validation.isIdentifier)
        if !tasks.isEmpty {
            instructions +=
                " This session works on "
                + (tasks.count == 1 ? "task \(tasks[0])" : "tasks " + tasks.prefix(namedTasks).joined(separator: ", "))
                + (tasks.count > namedTasks ? " and \(tasks.count - namedTasks) more" : "")
                + ": use these ids when you report."
        }
        return ServerInfo(
            name: "maestro", title: "Maestro", version: "library-\(FunctionLibrary.version)", instructions: instructions
        )
    }

    static let namedTasks = 20
}
