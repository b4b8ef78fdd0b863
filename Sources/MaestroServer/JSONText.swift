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
}
