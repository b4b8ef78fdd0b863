import Foundation
import HTTPTypes
import Hummingbird
import MaestroDomain
import MaestroStore
import RedisClient

/// Every error the HTTP API returns, in one JSON shape:
/// `{"error":{"code":"INVALID_TRANSITION","message":"…","current":"queued","allowed":["working","cancelled"]}}`.
public struct APIError: HTTPResponseError, Sendable {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// The stable code (the function library's refusal codes, plus HTTP-level ones such as UNAUTHORIZED).
    public let code: String
    public let message: String
    public var current: String?
    public var allowed: [String]?

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    static func unauthorized(_ message: String) -> APIError { APIError(.unauthorized, "UNAUTHORIZED", message) }
    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, "FORBIDDEN", message) }
    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, "INVALID_INPUT", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, "NOT_FOUND", message) }

    /// Maps any error from the store, the domain or Redis to its one HTTP form.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as MaestroError:
            let status: HTTPResponse.Status =
                switch error.code {
                case .invalidInput: .badRequest
                case .notFound: .notFound
                case .forbidden: .forbidden
                case .invalidTransition, .conflict: .conflict
                case .permissionDenied: .serviceUnavailable  // the server's own Redis user is missing a permission
                default: .internalServerError
                }
            var api = APIError(status, error.code.name, error.message)
            api.current = error.current
            api.allowed = error.allowed
            return api
        case let error as StoreError:
            return APIError(.serviceUnavailable, "STORE_UNAVAILABLE", error.message)
        case let error as RedisError where [.connectionFailed, .connectionLost, .timedOut].contains(error.code):
            return APIError(.serviceUnavailable, "REDIS_UNAVAILABLE", error.message)
        case let error as HTTPError:
            let code = error.status.code == 413 ? "INVALID_INPUT" : "HTTP_\(error.status.code)"
            return APIError(error.status, code, error.body ?? error.status.reasonPhrase)
        case let error as DecodingError:
            return .badRequest("the request body is not valid JSON of the expected shape: \(describe(error))")
        default:
            return APIError(.internalServerError, "INTERNAL", "\(error)")
        }
    }

    /// The JSON body: `{"error":{…}}`.
    struct Body: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
            let current: String?
            let allowed: [String]?
        }
        let error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(error: .init(code: code, message: message, current: current, allowed: allowed))
        return try Response.json(body, status: status)
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            (context.codingPath.map(\.stringValue).joined(separator: ".").nonEmpty.map { "field '\($0)': " } ?? "")
                + context.debugDescription
        @unknown default: "\(error)"
        }
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}

extension Response {
    /// A JSON response.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var buffer = ByteBuffer()
        buffer.writeBytes(try encoder.encode(value))
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: buffer))
    }
}
