/// A Redis stream entry id (`<milliseconds>-<sequence>`), ordered as Redis orders them.
public struct StreamID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let milliseconds: UInt64
    public let sequence: UInt64

    /// The position before every entry.
    public static let zero = StreamID(milliseconds: 0, sequence: 0)
    /// The length of the longest id's text (two 20-digit numbers and a dash).
    public static let longestText = 41

    public init(milliseconds: UInt64, sequence: UInt64) {
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    /// Parses `1700000000000-0` (a bare `1700000000000` means sequence 0); nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, let milliseconds = UInt64(parts[0]) else { return nil }
        guard parts.count == 1 || UInt64(parts[1]) != nil else { return nil }
        self.init(milliseconds: milliseconds, sequence: parts.count == 2 ? UInt64(parts[1])! : 0)
    }

    public var description: String { "\(milliseconds)-\(sequence)" }

    public static func < (lhs: StreamID, rhs: StreamID) -> Bool {
        (lhs.milliseconds, lhs.sequence) < (rhs.milliseconds, rhs.sequence)
    }
}
