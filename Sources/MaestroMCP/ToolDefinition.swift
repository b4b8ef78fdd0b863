import MaestroDomain

/// A tool as `tools/list` describes it.
public struct ToolDefinition: Sendable {
    public var name: String
    public var title: String
    /// What the tool does and when an agent should call it: this text is how a model learns to use the tool.
    public var description: String
    /// A JSON Schema of type object; its `properties` and `required` are also enforced before the tool runs.
    public var inputSchema: JSONValue
    /// A JSON Schema of type object that every successful result's `structuredContent` conforms to.
    public var outputSchema: JSONValue?
    /// Whether the tool only reads (MCP's `readOnlyHint`), or may repeat safely (`idempotentHint`).
    public var readOnly: Bool
    public var idempotent: Bool
    /// Whether a call may wait a long time (for a person, say): it then runs beside the other calls instead of
    /// holding up the ones after it.
    public var mayWait: Bool

    public init(
        name: String, title: String, description: String, inputSchema: JSONValue, outputSchema: JSONValue? = nil,
        readOnly: Bool = false, idempotent: Bool = false, mayWait: Bool = false
    ) {
        self.name = name
        self.title = title
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.readOnly = readOnly
        self.idempotent = idempotent
        self.mayWait = mayWait
    }

    /// The names the input schema declares.
    var argumentNames: [String] { inputSchema.objectValue?["properties"]?.objectValue?.keys.sorted() ?? [] }

    /// The names the input schema requires.
    var requiredArguments: [String] {
        inputSchema.objectValue?["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// The entry of `tools/list`.
    var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(name), "title": .string(title), "description": .string(description),
            "inputSchema": inputSchema,
            "annotations": [
                "title": .string(title), "readOnlyHint": .bool(readOnly), "idempotentHint": .bool(idempotent),
                "destructiveHint": .bool(false), "openWorldHint": .bool(false),
            ],
        ]
        members["outputSchema"] = outputSchema
        return .object(members)
    }
}

/// What a tool call returns: for a model, text; for programs, the same as structured JSON. A failure of the tool
/// itself (a refused transition, bad arguments, an unknown task) is a result with `isError`, so the model sees it
/// and can correct itself; it is not a JSON-RPC error.
public struct ToolResult: Sendable, Equatable {
    /// One or more text blocks.
    public var text: [String]
    /// Set on success when the tool declares an output schema.
    public var structured: JSONValue?
    public var isError: Bool

    /// A successful result: a summary for the model, then the structured content as JSON text (as MCP advises,
    /// for clients that do not read `structuredContent`).
    public static func success(_ summary: String, _ structured: JSONValue) -> ToolResult {
        ToolResult(text: [summary, structured.canonicalText], structured: structured, isError: false)
    }

    /// A failed call, explained in `message`.
    public static func failure(_ message: String) -> ToolResult {
        ToolResult(text: [message], structured: nil, isError: true)
    }

    /// The `tools/call` result.
    var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "content": .array(text.map { ["type": "text", "text": .string($0)] }), "isError": .bool(isError),
        ]
        members["structuredContent"] = structured
        return .object(members)
    }
}
