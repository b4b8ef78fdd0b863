import MaestroDomain
import Synchronization
import Testing

@testable import MaestroMCP

/// The URIs subscribed to.
private final class Subscriptions: Sendable {
    let uris = Mutex<[String]>([])
}

/// A service with one tool, `echo {text}`, and one resource, `test://one`.
private struct EchoService: MCPService {
    let subscriptions = Subscriptions()

    var info: ServerInfo { ServerInfo(name: "echo", title: "Echo", version: "1", instructions: "Say things.") }

    var tools: [ToolDefinition] {
        [
            ToolDefinition(
                name: "echo", title: "Echo", description: "Says it back.",
                inputSchema: JSONSchema.object(["text": JSONSchema.string()], required: ["text"], closed: true),
                outputSchema: JSONSchema.object(["text": JSONSchema.string()], required: ["text"]), readOnly: true),
            ToolDefinition(
                name: "wait", title: "Wait", description: "Waits.", inputSchema: JSONSchema.object([:]),
                mayWait: true),
        ]
    }

    var resourceTemplates: [ResourceTemplate] {
        [
            ResourceTemplate(
                uriTemplate: "test://{name}", name: "t", title: "T", description: "d", mimeType: "text/plain")
        ]
    }

    func call(_ tool: ToolDefinition, _ arguments: ToolArguments, cancellation: CancellationFlag) throws -> ToolResult {
        if tool.name == "wait" { return .failure("waited") }
        let text = try arguments.string("text")
        if text == "refuse" { return .failure("refused") }
        return .success("said \(text)", ["text": .string(text)])
    }

    func listResources() throws(JSONRPCError) -> [ResourceDescription] {
        [ResourceDescription(uri: "test://one", name: "one", title: "One", mimeType: "text/plain")]
    }

    func readResource(_ uri: String) throws(JSONRPCError) -> [ResourceText] {
        guard uri == "test://one" else { throw .resourceNotFound(uri, "no \(uri)") }
        return [ResourceText(uri: uri, mimeType: "text/plain", text: "1")]
    }

    func subscribe(_ uri: String) throws(JSONRPCError) { subscriptions.uris.withLock { $0.append(uri) } }
    func unsubscribe(_ uri: String) { subscriptions.uris.withLock { $0.removeAll { $0 == uri } } }
}

@Suite("MCP dispatcher")
struct MCPDispatcherTests {
    private let service = EchoService()

    /// Handles a line and returns the parsed answer, running work at once.
    private func answer(_ text: String, dispatcher: inout MCPDispatcher) throws -> [String: JSONValue]? {
        switch dispatcher.handle(Array(text.utf8)) {
        case .none, .cancel: return nil
        case .reply(let line): return try JSONParser.parse(Array(line.utf8)).objectValue
        case .work(_, _, let body): return try JSONParser.parse(Array(body(CancellationFlag()).utf8)).objectValue
        }
    }

    private func answer(_ text: String) throws -> [String: JSONValue]? {
        var dispatcher = MCPDispatcher(service: service)
        return try answer(text, dispatcher: &dispatcher)
    }

    private func errorCode(_ text: String) throws -> Int64? {
        guard case .integer(let code)? = try answer(text)?["error"]?.objectValue?["code"] else { return nil }
        return code
    }

    @Test func initializeNegotiatesTheVersion() throws {
        var dispatcher = MCPDispatcher(service: service)
        for (asked, agreed) in [
            ("2025-06-18", "2025-06-18"), ("2025-03-26", "2025-03-26"), ("1999-01-01", "2025-11-25"),
        ] {
            let request =
                #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"\#(asked)","#
                + #""capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#
            let reply = try answer(request, dispatcher: &dispatcher)
            let result = reply?["result"]?.objectValue
            #expect(result?["protocolVersion"] == .string(agreed))
            #expect(dispatcher.protocolVersion == agreed)
            #expect(result?["serverInfo"]?.objectValue?["name"] == "echo")
            #expect(result?["capabilities"]?.objectValue?["resources"] == ["subscribe": true, "listChanged": false])
            #expect(result?["capabilities"]?.objectValue?["tools"] == ["listChanged": false])
            #expect(result?["instructions"] == "Say things.")
        }
        #expect(try errorCode(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#) == -32602)
    }

    @Test func pingAndNotifications() throws {
        #expect(try answer(#"{"jsonrpc":"2.0","id":"p","method":"ping"}"#)?["result"] == [:])
        #expect(try answer(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#) == nil)
        var dispatcher = MCPDispatcher(service: service)
        guard
            case .cancel(let id) = dispatcher.handle(
                Array(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":4}}"#.utf8))
        else {
            Issue.record("cancellation not recognised")
            return
        }
        #expect(id == .number(4))
    }

    @Test func unknownMethodsAndBrokenLines() throws {
        #expect(try errorCode(#"{"jsonrpc":"2.0","id":1,"method":"server/discover"}"#) == -32601)
        #expect(try errorCode(#"{"jsonrpc":"2.0","id":1,"method":"prompts/list"}"#) == -32601)
        #expect(try errorCode("{not json") == -32700)
        #expect(try answer("{not json")?["id"] == .null)
        #expect(try errorCode(#"{"jsonrpc":"2.0","id":9}"#) == -32600)
        #expect(try answer(#"{"jsonrpc":"2.0","id":9}"#)?["id"] == .integer(9))
    }

    @Test func toolsList() throws {
        let tools = try answer(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)?["result"]?.objectValue?["tools"]
        let echo = tools?.arrayValue?.first { $0.objectValue?["name"] == "echo" }?.objectValue
        #expect(echo?["name"] == "echo")
        #expect(echo?["inputSchema"]?.objectValue?["required"] == .array(["text"]))
        #expect(echo?["outputSchema"]?.objectValue?["type"] == "object")
        #expect(echo?["annotations"]?.objectValue?["readOnlyHint"] == true)
    }

    @Test func toolCalls() throws {
        let ok = try answer(
            #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"#)
        let result = ok?["result"]?.objectValue
        #expect(ok?["id"] == .integer(2))
        #expect(result?["isError"] == false)
        #expect(result?["structuredContent"] == ["text": "hi"])
        #expect(result?["content"]?.arrayValue?.first == ["type": "text", "text": "said hi"])

        let refused = try answer(
            #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"refuse"}}}"#)
        #expect(refused?["result"]?.objectValue?["isError"] == true)
        #expect(refused?["result"]?.objectValue?["structuredContent"] == nil)

        for arguments in [#"{}"#, #"{"text":1}"#, #"{"text":"a","more":1}"#] {
            let bad = try answer(
                #"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo","arguments":\#(arguments)}}"#)
            let result = bad?["result"]?.objectValue
            #expect(result?["isError"] == true, "\(arguments)")
            let text = result?["content"]?.arrayValue?.first?.objectValue?["text"]?.stringValue ?? ""
            #expect(text.hasPrefix("Invalid arguments for echo, nothing was done: "), "\(text)")
        }

        #expect(try errorCode(#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"nope"}}"#) == -32602)
        #expect(try errorCode(#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{}}"#) == -32602)
        #expect(
            try errorCode(#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","arguments":[1]}}"#)
                == -32602)
    }

    @Test func resources() throws {
        let templates = try answer(#"{"jsonrpc":"2.0","id":1,"method":"resources/templates/list"}"#)
        #expect(
            templates?["result"]?.objectValue?["resourceTemplates"]?.arrayValue?.first?.objectValue?["uriTemplate"]
                == "test://{name}")
        let list = try answer(#"{"jsonrpc":"2.0","id":1,"method":"resources/list"}"#)
        #expect(list?["result"]?.objectValue?["resources"]?.arrayValue?.count == 1)
        let read = try answer(#"{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"test://one"}}"#)
        #expect(
            read?["result"]?.objectValue?["contents"]
                == .array([["uri": "test://one", "mimeType": "text/plain", "text": "1"]]))
        #expect(
            try errorCode(#"{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"test://two"}}"#)
                == -32002)
        #expect(try errorCode(#"{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{}}"#) == -32602)

        var dispatcher = MCPDispatcher(service: service)
        _ = try answer(
            #"{"jsonrpc":"2.0","id":1,"method":"resources/subscribe","params":{"uri":"test://one"}}"#,
            dispatcher: &dispatcher)
        #expect(service.subscriptions.uris.withLock { $0 } == ["test://one"])
        _ = try answer(
            #"{"jsonrpc":"2.0","id":1,"method":"resources/unsubscribe","params":{"uri":"test://one"}}"#,
            dispatcher: &dispatcher)
        #expect(service.subscriptions.uris.withLock { $0 }.isEmpty)
    }

    /// Whether a request runs in arrival order (nil: it is not work at all).
    private func runsInOrder(_ text: String) -> Bool? {
        var dispatcher = MCPDispatcher(service: service)
        guard case .work(_, let inOrder, _) = dispatcher.handle(Array(text.utf8)) else { return nil }
        return inOrder
    }

    @Test func onlyWaitingToolsRunBesideTheOrderedWork() {
        #expect(
            runsInOrder(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{}}}"#)
                == true)
        #expect(runsInOrder(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"wait"}}"#) == false)
        #expect(runsInOrder(#"{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"x"}}"#) == true)
        #expect(runsInOrder(#"{"jsonrpc":"2.0","id":1,"method":"resources/list"}"#) == true)
        #expect(runsInOrder(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#) == nil)
    }
}
