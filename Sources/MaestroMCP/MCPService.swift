import MaestroDomain

/// Who this server is, for `initialize`.
public struct ServerInfo: Sendable {
    public var name: String
    public var title: String
    public var version: String
    /// How a model should use the server as a whole (MCP's `instructions`).
    public var instructions: String

    public init(name: String, title: String, version: String, instructions: String) {
        self.name = name
        self.title = title
        self.version = version
        self.instructions = instructions
    }
}

/// What a server offers over MCP: tools and resources. `MCPDispatcher` speaks the protocol and calls these; every
/// method that may block runs off the thread that reads the client's messages.
public protocol MCPService: Sendable {
    var info: ServerInfo { get }
    var tools: [ToolDefinition] { get }
    var resourceTemplates: [ResourceTemplate] { get }

    /// Runs a tool whose arguments carry only declared names and every required one. A `ToolArgumentError`
    /// becomes a tool error result; anything the tool itself refuses should come back as `ToolResult.failure`.
    func call(_ tool: ToolDefinition, _ arguments: ToolArguments, cancellation: CancellationFlag) throws -> ToolResult

    /// The resources worth listing (`resources/list`).
    func listResources() throws(JSONRPCError) -> [ResourceDescription]

    /// One resource's contents (`resources/read`).
    func readResource(_ uri: String) throws(JSONRPCError) -> [ResourceText]

    /// Starts sending `notifications/resources/updated` for `uri` when it changes.
    func subscribe(_ uri: String) throws(JSONRPCError)

    /// Stops those notifications.
    func unsubscribe(_ uri: String)
}
