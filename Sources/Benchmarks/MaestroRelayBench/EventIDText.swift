import MaestroDomain

/// The stream id a receiver got: a raw subscriber's message is the id itself (the library publishes only wake-ups),
/// a WebSocket frame is `{"id":"<id>",…}` with the id first. A byte scan, not a JSON decoder: at 50,000 frames/s the
/// receivers' own cost is part of what is measured, so it is kept small and the same on both sides.
enum EventIDText {
    private static let framePrefix = Array(#"{"id":""#.utf8)

    static func parse(_ bytes: UnsafeRawBufferPointer) -> StreamID? {
        var start = 0
        if bytes.starts(with: framePrefix) { start = framePrefix.count }
        var milliseconds: UInt64 = 0
        var sequence: UInt64 = 0
        var seenDash = false
        var digits = 0
        for offset in start..<bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "-") && !seenDash && digits > 0 {
                seenDash = true
                digits = 0
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") && digits < 19 {
                let value = UInt64(byte - UInt8(ascii: "0"))
                if seenDash { sequence = sequence * 10 + value } else { milliseconds = milliseconds * 10 + value }
                digits += 1
            } else {
                break
            }
        }
        guard seenDash, digits > 0 else { return nil }
        return StreamID(milliseconds: milliseconds, sequence: sequence)
    }
}
