import MaestroDomain
import Testing

@Suite("Aggregate status (spec §5)")
struct AggregateStatusTests {
    @Test("each rule, in order")
    func rules() {
        #expect(AggregateStatus(of: []) == .noSessions)
        #expect(AggregateStatus(of: [.working, .blocked, .needsInput]) == .needsInput)
        #expect(AggregateStatus(of: [.working, .blocked, .completed]) == .blocked)
        #expect(AggregateStatus(of: [.queued, .working, .failed]) == .working)
        #expect(AggregateStatus(of: [.queued, .completed, .failed]) == .queued)
        #expect(AggregateStatus(of: [.completed, .completed]) == .allCompleted)
        #expect(AggregateStatus(of: [.failed]) == .allFailed)
        #expect(AggregateStatus(of: [.completed, .failed]) == .working)
        #expect(AggregateStatus(of: [.cancelled]) == .working)
    }

    @Test("a stale entry ranks after blocked and before working, whatever the statuses")
    func stale() {
        for first in SessionStatus.allCases {
            for second in SessionStatus.allCases {
                let statuses = [first, second]
                let plain = AggregateStatus(of: statuses)
                let expected: AggregateStatus = [.needsInput, .blocked].contains(plain) ? plain : .stale
                #expect(AggregateStatus(of: statuses, anyStale: true) == expected, "\(statuses)")
            }
        }
    }

    @Test("every combination of two statuses matches the first-match-wins rules")
    func everyPair() {
        for first in SessionStatus.allCases {
            for second in SessionStatus.allCases {
                let statuses = [first, second]
                let expected: AggregateStatus =
                    if statuses.contains(.needsInput) { .needsInput } else if statuses.contains(.blocked) {
                        .blocked
                    } else if statuses.contains(.working) { .working } else if statuses.contains(.queued) {
                        .queued
                    } else if first == .completed && second == .completed {
                        .allCompleted
                    } else if first == .failed && second == .failed { .allFailed } else { .working }
                #expect(AggregateStatus(of: statuses) == expected, "\(statuses)")
            }
        }
    }
}
