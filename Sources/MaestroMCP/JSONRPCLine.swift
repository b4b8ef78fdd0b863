import MaestroDomain

/// The lines this server writes: one JSON-RPC message per line, compact (no newline inside: strings escape theirs).
public enum JSONRPCLine {
    /// A successful response.
    public static func result(_ id: JSONRPCID, _ result: JSONValue) -> String {
        JSONValue.object(["jsonrpc": .string("2.0"), "id": id.jsonValue, "result": result]).canonicalText
    }

    /// An error response; `id` is nil (JSON null) when the request's id could not be read.
    public static func error(_ id: JSONRPCID?, _ error: JSONRPCError) -> String {
        JSONValue.object(["jsonrpc": .string("2.0"), "id": id?.jsonValue ?? .null, "error": error.jsonValue])
            .canonicalText
    }

    /// A notification from the server.
    public static func notification(_ method: String, _ params: JSONValue) -> String {
        JSONValue.object(["jsonrpc": .string("2.0"), "method": .string(method), "params": params]).canonicalText
    }
}
