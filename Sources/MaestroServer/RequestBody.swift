import Foundation
import Hummingbird

/// Reads JSON request bodies strictly: at most 256 KiB, a JSON object, only known fields, no `null`s (a field
/// left out keeps its value; `null` would be ambiguous between "keep" and "clear").
enum RequestBody {
    static let maxBytes = 256 * 1024

    static func decode<Value: Decodable>(_ type: Value.Type, from request: Request, fields: Set<String>)
        async throws -> Value
    {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch {
            throw APIError(.contentTooLarge, "INVALID_INPUT", "the request body is larger than \(maxBytes) bytes")
        }
        let data = Data(buffer: buffer)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError.badRequest("the request body must be a JSON object (UTF-8)")
        }
        let unknown = Set(object.keys).subtracting(fields)
        guard unknown.isEmpty else {
            throw APIError.badRequest(
                "unknown field(s) \(unknown.sorted().joined(separator: ", ")); allowed: "
                    + fields.sorted().joined(separator: ", "))
        }
        let nulls = object.filter { $0.value is NSNull }.keys.sorted()
        guard nulls.isEmpty else {
            throw APIError.badRequest(
                "field(s) \(nulls.joined(separator: ", ")) may not be null: leave a field out to keep it as it is "
                    + "(an empty description clears it)")
        }
        return try JSONDecoder().decode(Value.self, from: data)
    }
}
