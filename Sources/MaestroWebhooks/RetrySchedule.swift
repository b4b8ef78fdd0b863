import MaestroDomain

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// When a failed delivery is tried again: after attempt `n` fails, attempt `n + 1` comes `delays[n - 1]` later
/// (give or take 20 % of jitter, so deliveries that failed together do not all come back together); after the last
/// delay's attempt fails, the delivery is dead.
public struct RetrySchedule: Sendable, Equatable, CustomStringConvertible {
    /// The delays between attempts.
    public let delays: [Duration]

    /// Ten attempts over about 24 hours: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 6 h and 14 h after the one before.
    public static let standard = RetrySchedule(delays: [
        .seconds(5), .seconds(30), .seconds(120), .seconds(600), .seconds(1800), .seconds(3600), .seconds(7200),
        .seconds(21600), .seconds(50400),
    ])

    /// The longest delay a schedule may have, and how many it may have.
    public static let longestDelay = Duration.seconds(7 * 86400)
    public static let mostDelays = 50

    public init(delays: [Duration]) { self.delays = delays }

    /// Reads a comma-separated list of delays, each a whole number with a unit: `500ms`, `10s`, `5m`, `2h`
    /// (`1s,2s,4s` is four attempts a few seconds apart).
    public init(parsing text: String) throws(MaestroError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
            String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        }
        guard !parts.isEmpty, parts.count <= Self.mostDelays else {
            throw MaestroError(.invalidInput, "a retry schedule has 1 to \(Self.mostDelays) delays (got \(parts.count))")
        }
        var delays: [Duration] = []
        for part in parts {
            guard let delay = Self.duration(part), delay > .zero, delay <= Self.longestDelay else {
                throw MaestroError(
                    .invalidInput,
                    "cannot read the retry delay '\(part.prefix(40))': use a whole number with ms, s, m or h, "
                        + "from 1ms to 168h, e.g. 10s,1m,10m")
            }
            delays.append(delay)
        }
        self.delays = delays
    }

    /// How many attempts a delivery gets.
    public var attempts: Int { delays.count + 1 }

    /// After attempt number `attempt` (1 for the first) failed: how long until the next one, with `jitter` (from 0
    /// to 1) spreading it over 80-120 % of the scheduled delay, in whole milliseconds; nil when that was the last attempt.
    public func delay(afterFailedAttempt attempt: Int, jitter: Double) -> Duration? {
        guard attempt >= 1, attempt <= delays.count else { return nil }
        let factor = 0.8 + 0.4 * min(max(jitter, 0), 1)
        // Whole milliseconds: what Redis stores, and no floating-point crumbs.
        return .milliseconds(Int64((delays[attempt - 1] / .milliseconds(1) * factor).rounded()))
    }

    /// The whole span from the first attempt to the last, without jitter.
    public var span: Duration { delays.reduce(.zero, +) }

    /// The schedule as it is written on the command line.
    public var description: String {
        delays.map { delay in
            let milliseconds = delay / .milliseconds(1)
            if milliseconds.truncatingRemainder(dividingBy: 3_600_000) == 0 { return "\(Int(milliseconds / 3_600_000))h" }
            if milliseconds.truncatingRemainder(dividingBy: 60_000) == 0 { return "\(Int(milliseconds / 60_000))m" }
            if milliseconds.truncatingRemainder(dividingBy: 1000) == 0 { return "\(Int(milliseconds / 1000))s" }
            return "\(Int(milliseconds))ms"
        }.joined(separator: ",")
    }

    private static func duration(_ text: String) -> Duration? {
        let units: [(String, Duration)] = [("ms", .milliseconds(1)), ("s", .seconds(1)), ("m", .seconds(60)),
            ("h", .seconds(3600))]
        for (suffix, unit) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            guard !number.isEmpty, number.allSatisfy(\.isASCII), let value = Int(number), value <= 604_800_000
            else { return nil }
            return unit * value
        }
        return nil
    }
}
