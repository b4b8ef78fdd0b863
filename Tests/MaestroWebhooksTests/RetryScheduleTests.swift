import MaestroDomain
import MaestroWebhooks
import Testing

@Suite("Retry schedule")
struct RetryScheduleTests {
    @Test("the default: 10 attempts, growing delays, about a day from first to last")
    func standard() {
        let schedule = RetrySchedule.standard
        #expect(schedule.attempts == 10)
        #expect(zip(schedule.delays, schedule.delays.dropFirst()).allSatisfy { $0 < $1 })
        #expect(schedule.span > .seconds(22 * 3600) && schedule.span < .seconds(26 * 3600), "\(schedule.span)")
        #expect(schedule.description == "5s,30s,2m,10m,30m,1h,2h,6h,14h")
    }

    @Test("after each failed attempt the next one is scheduled with ±20 % jitter; after the last, none")
    func delays() {
        let schedule = RetrySchedule.standard
        for attempt in 1...9 {
            let scheduled = schedule.delays[attempt - 1]
            #expect(schedule.delay(afterFailedAttempt: attempt, jitter: 0) == scheduled * 4 / 5)
            #expect(schedule.delay(afterFailedAttempt: attempt, jitter: 1) == scheduled * 6 / 5)
            #expect(schedule.delay(afterFailedAttempt: attempt, jitter: 0.5) == scheduled)
        }
        #expect(schedule.delay(afterFailedAttempt: 10, jitter: 0.5) == nil, "the tenth attempt was the last")
        #expect(schedule.delay(afterFailedAttempt: 11, jitter: 0.5) == nil)
        #expect(schedule.delay(afterFailedAttempt: 0, jitter: 0.5) == nil)
        #expect(schedule.delay(afterFailedAttempt: 1, jitter: 0.123_456_7) == .milliseconds(4247), "whole milliseconds")
        #expect(schedule.delay(afterFailedAttempt: 1, jitter: 7) == .seconds(6), "jitter is clamped to 0...1")
    }

    @Test("a schedule from the command line: units, whitespace, limits")
    func parsing() throws {
        let schedule = try RetrySchedule(parsing: "200ms, 1s,2m ,1h")
        #expect(schedule.delays == [.milliseconds(200), .seconds(1), .seconds(120), .seconds(3600)])
        #expect(schedule.attempts == 5)
        #expect(schedule.description == "200ms,1s,2m,1h")
        #expect(try RetrySchedule(parsing: RetrySchedule.standard.description) == .standard)
        for bad in ["", "1", "1d", "-1s", "0s", "1.5s", "1s,,2s", "s", "169h", "ms", "1 s"] {
            #expect(throws: MaestroError.self, "\(bad)") { try RetrySchedule(parsing: bad) }
        }
        let many = Array(repeating: "1s", count: 51).joined(separator: ",")
        #expect(throws: MaestroError.self) { try RetrySchedule(parsing: many) }
    }
}
