/// Reads the publisher's send time back out of an event: the decimal CLOCK_MONOTONIC nanoseconds it put in the
/// progress `notes`, which the function library copies into the event's payload as `"notes":"<digits>"`.
///
/// A byte search, not a JSON decoder: at 50,000 frames/s the receivers' own cost is part of what is measured,
/// so it is kept to a scan for the key and a few digits, the same on both sides.
enum NotesTimestamp {
    private static let marker = Array(#""notes":""#.utf8)

    /// The timestamp, or nil when the event carries other notes (the warm-up's) or none.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard let start = find(marker, in: bytes) else { return nil }
        var offset = start + marker.count
        var value: UInt64 = 0
        var digits = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") { return digits > 0 ? value : nil }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 19 else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
            digits += 1
            offset += 1
        }
        return nil
    }

    /// The offset of the first occurrence of `needle`.
    private static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= needle.count, let first = needle.first else { return nil }
        var offset = 0
        outer: while offset <= bytes.count - needle.count {
            if bytes[offset] == first {
                for index in 1..<needle.count where bytes[offset + index] != needle[index] {
                    offset += 1
                    continue outer
                }
                return offset
            }
            offset += 1
        }
        return nil
    }
}
