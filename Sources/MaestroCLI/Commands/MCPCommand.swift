import MaestroMCP

/// `maestro mcp`
enum MCPCommand {
    static let spec = CommandSpec(
        name: "mcp",
        abstract: "Serve this session's task tools to an AI agent over MCP (stdio).",
        discussion: """
            An MCP server over stdin and stdout, which the agent (Claude Code, Codex, Cursor, ...) starts as a stdio
            server. Tools: queue_tasks, update_status, get_answer (waits up to \(SessionTools.maximumWaitSeconds) s for
            a person's answer to a needs_input question), show_task, list_tasks: the same calls and refusals as
            `maestro task ...`, carried out in the order they arrive. Resources: maestro://task/{taskId}, with change
            notifications for subscribed tasks.

            It acts as the session in its environment, like every task command: MAESTRO_SESSION_ID,
            MAESTRO_SESSION_TOKEN, MAESTRO_PROJECT_ID, and MAESTRO_REDIS_URL or MAESTRO_URL (`maestro run` gives
            them to the agent, which passes them on to the servers it starts). The session's tasks in
            MAESTRO_TASK_IDS (also from `maestro run`) are named in the instructions the model gets. Without a
            session, the tools that report answer "No session found." as a tool error. Ends when stdin closes. How
            to register it with each agent: docs/agents.md.
            """,
        run: run
    )

    static func run(_ arguments: ParsedArguments) throws {
        let server = MCPStdioServer()
        let watcher = TaskWatcher { taskId in
            server.send(
                JSONRPCLine.notification(
                    "notifications/resources/updated", ["uri": .string(SessionTools.taskURIPrefix + taskId)]))
        }
        server.run(MCPDispatcher(service: SessionTools(watcher: watcher)))
    }
}
