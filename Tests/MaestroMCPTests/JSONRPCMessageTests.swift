import MaestroDomain
import Testing

@testable import MaestroMCP

@Suite("JSON-RPC messages")
struct JSONRPCMessageTests {
    private func parse(_ text: String) throws(JSONRPCMessage.Invalid) -> JSONRPCMessage {
        try JSONRPCMessage.parse(Array(text.utf8))
    }

    private func invalid(_ text: String) -> JSONRPCMessage.Invalid? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func requestsWithNumberAndStringIds() throws {
        #expect(
            try parse(#"{"jsonrpc":"2.0","id":7,"method":"tools/list"}"#)
                == .request(id: .number(7), method: "tools/list", params: [:]))
        #expect(
            try parse(#"{"jsonrpc":"2.0","id":"a-1","method":"ping","params":{"x":1}}"#)
                == .request(id: .string("a-1"), method: "ping", params: ["x": .integer(1)]))
    }

    @Test func notificationsAndResponses() throws {
        #expect(
            try parse(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
                == .notification(method: "notifications/initialized", params: [:]))
        #expect(try parse(#"{"jsonrpc":"2.0","id":3,"result":{}}"#) == .response(id: .number(3)))
        #expect(try parse(#"{"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"x"}}"#) == .response(id: .number(3)))
        // A notification with broken params is still a notification: it gets no answer, not even an error.
        #expect(try parse(#"{"jsonrpc":"2.0","method":"x","params":[1]}"#) == .notification(method: "x", params: [:]))
    }

    @Test func malformedJSONIsAParseErrorWithoutId() {
        for text in ["", "{", #"{"jsonrpc":"2.0","id":1,"method":"ping""#, "nope", #"{"a":1,"a":2}"#] {
            let failure = invalid(text)
            #expect(failure?.error.code == -32700, "\(text)")
            #expect(failure?.id == nil)
        }
    }

    @Test func invalidRequests() {
        #expect(invalid(#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#)?.error.code == -32600)
        #expect(invalid(#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#)?.error.message.contains("batches") == true)
        #expect(invalid("42")?.error.code == -32600)
        #expect(
            invalid(#"{"id":1,"method":"ping"}"#)
                == .init(id: .number(1), error: .invalidRequest(#""jsonrpc" must be "2.0""#)))
        #expect(invalid(#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#)?.error.code == -32600)
        #expect(
            invalid(#"{"jsonrpc":"2.0","id":1,"method":5}"#)
                == .init(id: .number(1), error: .invalidRequest(#""method" must be a string"#)))
        #expect(invalid(#"{"jsonrpc":"2.0","id":1}"#)?.error.code == -32600)
        for id in ["1.5", "null", "{}", "[1]", "true"] {
            let failure = invalid(#"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"#)
            #expect(failure?.error.code == -32600, "id \(id)")
            #expect(failure?.id == nil)
        }
    }

    @Test func paramsMustBeAnObject() {
        let failure = invalid(#"{"jsonrpc":"2.0","id":"x","method":"tools/call","params":[1,2]}"#)
        #expect(failure?.error.code == -32602)
        #expect(failure?.id == .string("x"))
    }

    @Test func linesAreSingleLineJSON() throws {
        let line = JSONRPCLine.result(.number(1), ["text": .string("two\nlines \"quoted\"")])
        #expect(!line.contains("\n"))
        let parsed = try JSONParser.parse(Array(line.utf8))
        #expect(parsed.objectValue?["result"]?.objectValue?["text"] == .string("two\nlines \"quoted\""))
        let error = try JSONParser.parse(Array(JSONRPCLine.error(nil, .parseError("bad")).utf8))
        #expect(error.objectValue?["id"] == .null)
        #expect(error.objectValue?["error"]?.objectValue?["code"] == .integer(-32700))
    }

    @Test func versionNegotiation() {
        for version in ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"] {
            #expect(ProtocolVersion.negotiate(version) == version)
        }
        #expect(ProtocolVersion.negotiate("2099-01-01") == ProtocolVersion.supported[0])
        #expect(ProtocolVersion.negotiate("") == ProtocolVersion.supported[0])
    }
}
