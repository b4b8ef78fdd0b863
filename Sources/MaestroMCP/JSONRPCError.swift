import MaestroDomain

/// A JSON-RPC 2.0 error object: what went wrong with a message itself (not with what a tool did — that is a tool
/// result with `isError`).
public struct JSONRPCError: Error, Sendable, Equatable {
    /// The numeric code (JSON-RPC's reserved range, plus MCP's -32002 for an unknown resource).
    public var code: Int
    public var message: String
    /// Extra detail for the client, if any.
    public var data: JSONValue?

    /// An error with any code.
    public init(_ code: Int, _ message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// -32700: the line is not JSON.
    public static func parseError(_ detail: String) -> JSONRPCError {
        JSONRPCError(-32700, "Parse error: \(detail)")
    }

    /// -32600: JSON, but not a JSON-RPC 2.0 request or notification.
    public static func invalidRequest(_ detail: String) -> JSONRPCError {
        JSONRPCError(-32600, "Invalid Request: \(detail)")
    }

    /// -32601: no such method.
    public static func methodNotFound(_ method: String) -> JSONRPCError {
        JSONRPCError(-32601, "Method not found: \(method)")
    }

    /// -32602: the method exists but its params do not fit (MCP also uses it for an unknown tool).
    public static func invalidParams(_ detail: String) -> JSONRPCError {
        JSONRPCError(-32602, "Invalid params: \(detail)")
    }

    /// -32603: the server could not carry out a valid request.
    public static func internalError(_ detail: String) -> JSONRPCError {
        JSONRPCError(-32603, "Internal error: \(detail)")
    }

    /// -32002: MCP's code for a resource that does not exist.
    public static func resourceNotFound(_ uri: String, _ detail: String) -> JSONRPCError {
        JSONRPCError(-32002, "Resource not found: \(detail)", data: .object(["uri": .string(uri)]))
    }

    /// The error as the `error` member of a response.
    var jsonValue: JSONValue {
        var members: [String: JSONValue] = ["code": .integer(Int64(code)), "message": .string(message)]
        if let data { members["data"] = data }
        return .object(members)
    }
}
