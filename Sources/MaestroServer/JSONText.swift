#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Small JSON helpers for text the relay assembles itself.
enum JSONText {
    /// `value` as a JSON string literal, quotes included.
    static func quote(_ value: String) -> String {
        (try? String(decoding: JSONEncoder().encode(value), as: UTF8.self)) ?? "\"\""
    }

    /// The `id` of a published event, which the function library always writes first: `{"id":"<id>",…`.
    static func leadingEventID(_ json: String) -> StreamID? {
        let prefix = #"{"id":""#
        guard json.hasPrefix(prefix) else { return nil }
        let rest = json.dropFirst(prefix.count)
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return StreamID(rest[..<end])
    }
}
