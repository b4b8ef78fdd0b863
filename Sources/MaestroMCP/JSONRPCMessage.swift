import MaestroDomain

/// A request id: JSON-RPC allows a string or a number (MCP: never null).
public enum JSONRPCID: Hashable, Sendable, CustomStringConvertible {
    case number(Int64)
    case string(String)

    var jsonValue: JSONValue {
        switch self {
        case .number(let value): .integer(value)
        case .string(let value): .string(value)
        }
    }

    /// The id from a JSON value, when it is one JSON-RPC allows.
    init?(_ value: JSONValue) {
        switch value {
        case .integer(let number): self = .number(number)
        case .string(let text): self = .string(text)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .number(let value): String(value)
        case .string(let value): "\"\(value)\""
        }
    }
}

/// One line the client sent, classified. Batches (arrays) are not part of MCP since 2025-06-18 and are refused.
public enum JSONRPCMessage: Sendable, Equatable {
    /// Expects a response with the same id.
    case request(id: JSONRPCID, method: String, params: [String: JSONValue])
    /// Expects nothing back.
    case notification(method: String, params: [String: JSONValue])
    /// The client answering a request of ours (this server sends none, so these are ignored).
    case response(id: JSONRPCID?)

    /// What a line that is not a valid message gets: the error, and the id to answer with when one could be read.
    public struct Invalid: Error, Sendable, Equatable {
        public var id: JSONRPCID?
        public var error: JSONRPCError
    }

    /// Classifies one line (without its newline).
    public static func parse(_ line: [UInt8]) throws(Invalid) -> JSONRPCMessage {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw Invalid(id: nil, error: .parseError(error.description))
        }
        guard let object = value.objectValue else {
            let detail = value.arrayValue != nil ? "batches are not supported" : "a message must be a JSON object"
            throw Invalid(id: nil, error: .invalidRequest(detail))
        }
        let rawID = object["id"]
        let id = rawID.flatMap(JSONRPCID.init)
        guard object["jsonrpc"] == .string("2.0") else {
            throw Invalid(id: id, error: .invalidRequest("\"jsonrpc\" must be \"2.0\""))
        }
        if rawID != nil && id == nil {
            throw Invalid(id: nil, error: .invalidRequest("\"id\" must be a string or an integer"))
        }
        guard let methodValue = object["method"] else {
            guard object["result"] != nil || object["error"] != nil else {
                throw Invalid(id: id, error: .invalidRequest("no \"method\""))
            }
            return .response(id: id)
        }
        guard let method = methodValue.stringValue else {
            throw Invalid(id: id, error: .invalidRequest("\"method\" must be a string"))
        }
        var params: [String: JSONValue] = [:]
        switch object["params"] {
        case nil, .null?: break
        case .object(let members)?: params = members
        default:
            // A notification gets no answer, not even an error.
            guard let id else { return .notification(method: method, params: [:]) }
            throw Invalid(id: id, error: .invalidParams("\"params\" must be an object"))
        }
        guard let id else { return .notification(method: method, params: params) }
        return .request(id: id, method: method, params: params)
    }
}
