import MaestroDomain

/// The protocol side of an MCP server: turns each line the client sends into what to do — answer at once, run
/// something that may block (a tool call, a resource read) and answer when it is done, or cancel such work.
///
/// Work is carried out in the order it arrives (`inOrder`), so calls a model makes in parallel never race each other
/// (a `working` sent right after `queue_tasks` finds the task queued); only tools that declare they may wait run
/// beside the others, so a long wait holds nothing up.
///
/// It keeps no I/O of its own, so the whole protocol can be tested with lines in and lines out; `MCPStdioServer`
/// in the CLI drives it over stdin and stdout.
public struct MCPDispatcher {
    /// What to do with one incoming line.
    public enum Action: Sendable {
        /// Write this line now.
        case reply(String)
        /// Nothing to write (a notification, or a response to us).
        case none
        /// Run this off the reading thread (after the earlier ordered work when `inOrder`, else at once beside
        /// it), then write its line unless the request was cancelled meanwhile.
        case work(JSONRPCID, inOrder: Bool, @Sendable (CancellationFlag) -> String)
        /// The client cancelled this request (`notifications/cancelled`).
        case cancel(JSONRPCID)
    }

    /// What the server offers.
    public let service: any MCPService
    /// The revision agreed in `initialize`, once it happened.
    public private(set) var protocolVersion: String?

    /// A dispatcher for `service`, before `initialize`.
    public init(service: any MCPService) {
        self.service = service
    }

    /// Handles one line (without its newline).
    public mutating func handle(_ line: [UInt8]) -> Action {
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage.parse(line)
        } catch {
            return .reply(JSONRPCLine.error(error.id, error.error))
        }
        switch message {
        case .response:
            return .none
        case .notification(let method, let params):
            if method == "notifications/cancelled", let id = params["requestId"].flatMap(JSONRPCID.init) {
                return .cancel(id)
            }
            return .none
        case .request(let id, let method, let params):
            do {
                return try request(id, method, params)
            } catch {
                return .reply(JSONRPCLine.error(id, error))
            }
        }
    }

    private mutating func request(
        _ id: JSONRPCID, _ method: String, _ params: [String: JSONValue]
    ) throws(JSONRPCError) -> Action {
        let service = service
        switch method {
        case "initialize":
            guard let requested = params["protocolVersion"]?.stringValue else {
                throw .invalidParams("initialize needs \"protocolVersion\" (a string)")
            }
            let version = ProtocolVersion.negotiate(requested)
            protocolVersion = version
            return .reply(JSONRPCLine.result(id, initializeResult(version)))
        case "ping":
            return .reply(JSONRPCLine.result(id, [:]))
        case "tools/list":
            return .reply(JSONRPCLine.result(id, ["tools": .array(service.tools.map(\.jsonValue))]))
        case "tools/call":
            let (tool, arguments) = try toolCall(params)
            return .work(id, inOrder: !tool.mayWait) { cancellation in
                JSONRPCLine.result(id, Self.run(tool, arguments, on: service, cancellation).jsonValue)
            }
        case "resources/templates/list":
            return .reply(
                JSONRPCLine.result(id, ["resourceTemplates": .array(service.resourceTemplates.map(\.jsonValue))]))
        case "resources/list":
            return .work(id, inOrder: true) { _ in
                Self.answer(id) { () throws(JSONRPCError) in
                    ["resources": .array(try service.listResources().map(\.jsonValue))]
                }
            }
        case "resources/read":
            let uri = try Self.uri(params)
            return .work(id, inOrder: true) { _ in
                Self.answer(id) { () throws(JSONRPCError) in
                    ["contents": .array(try service.readResource(uri).map(\.jsonValue))]
                }
            }
        case "resources/subscribe":
            let uri = try Self.uri(params)
            return .work(id, inOrder: true) { _ in
                Self.answer(id) { () throws(JSONRPCError) in
                    try service.subscribe(uri)
                    return [:]
                }
            }
        case "resources/unsubscribe":
            service.unsubscribe(try Self.uri(params))
            return .reply(JSONRPCLine.result(id, [:]))
        default:
            throw .methodNotFound(method)
        }
    }

    private func initializeResult(_ version: String) -> JSONValue {
        let info = service.info
        return [
            "protocolVersion": .string(version),
            "capabilities": [
                "tools": ["listChanged": false],
                "resources": ["subscribe": true, "listChanged": false],
            ],
            "serverInfo": ["name": .string(info.name), "title": .string(info.title), "version": .string(info.version)],
            "instructions": .string(info.instructions),
        ]
    }

    /// The tool and its arguments; an unknown tool or arguments that are not an object are protocol errors.
    private func toolCall(_ params: [String: JSONValue]) throws(JSONRPCError) -> (ToolDefinition, ToolArguments) {
        guard let name = params["name"]?.stringValue else {
            throw .invalidParams("tools/call needs \"name\" (a string)")
        }
        guard let tool = service.tools.first(where: { $0.name == name }) else {
            let known = service.tools.map(\.name).joined(separator: ", ")
            throw JSONRPCError(-32602, "Unknown tool: \(name) (this server has \(known))")
        }
        switch params["arguments"] {
        case nil, .null?: return (tool, ToolArguments([:]))
        case .object(let members)?: return (tool, ToolArguments(members))
        default: throw .invalidParams("\"arguments\" must be an object")
        }
    }

    /// Runs a tool; arguments that do not fit its schema never reach it.
    static func run(
        _ tool: ToolDefinition, _ arguments: ToolArguments, on service: any MCPService,
        _ cancellation: CancellationFlag
    ) -> ToolResult {
        do {
            try arguments.check(against: tool)
            return try service.call(tool, arguments, cancellation: cancellation)
        } catch let error as ToolArgumentError {
            return .failure("Invalid arguments for \(tool.name), nothing was done: \(error.message)")
        } catch {
            return .failure("\(tool.name) failed: \(error)")
        }
    }

    private static func answer(_ id: JSONRPCID, _ body: () throws(JSONRPCError) -> JSONValue) -> String {
        do {
            return JSONRPCLine.result(id, try body())
        } catch {
            return JSONRPCLine.error(id, error)
        }
    }

    private static func uri(_ params: [String: JSONValue]) throws(JSONRPCError) -> String {
        guard let uri = params["uri"]?.stringValue else { throw .invalidParams("\"uri\" (a string) is required") }
        return uri
    }
}
