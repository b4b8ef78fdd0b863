import MaestroDomain
import Testing

@Suite("Who may change what (spec §3)")
struct AccessPolicyTests {
    static let actors: [Actor] = [.user, .session(id: "s1"), .system]

    @Test("task status: users any allowed change, sessions never, the system only todo → inprogress")
    func taskStatus() {
        for from in TaskStatus.allCases {
            for to in TaskStatus.allCases {
                let change = AccessPolicy.Change.taskStatus(from: from, to: to)
                #expect(AccessPolicy.permits(.user, change))
                #expect(!AccessPolicy.permits(.session(id: "s1"), change))
                #expect(AccessPolicy.permits(.system, change) == (from == .todo && to == .inprogress))
            }
        }
    }

    @Test("progress: only the session that owns the entry")
    func progress() {
        #expect(AccessPolicy.permits(.session(id: "s1"), .progress(owner: "s1")))
        #expect(!AccessPolicy.permits(.session(id: "s2"), .progress(owner: "s1")))
        #expect(!AccessPolicy.permits(.user, .progress(owner: "s1")))
        #expect(!AccessPolicy.permits(.system, .progress(owner: "s1")))
    }

    @Test("lifecycle: users spawn, stop and restart; sessions spawn; the system everything")
    func lifecycle() {
        for from in [nil] + SessionLifecycle.allCases.map(Optional.some) {
            for to in SessionLifecycle.allCases {
                let change = AccessPolicy.Change.lifecycle(from: from, to: to)
                #expect(AccessPolicy.permits(.system, change))
                let userMay = (from == .active && to == .stopped) || to == .spawning
                #expect(AccessPolicy.permits(.user, change) == userMay, "\(String(describing: from)) → \(to)")
                #expect(AccessPolicy.permits(.session(id: "s"), change) == (from == nil && to == .spawning))
            }
        }
    }

    @Test("answers and unlinking are the user's; task fields are anyone's but the system's")
    func others() {
        for actor in Self.actors {
            #expect(AccessPolicy.permits(actor, .answer) == (actor == .user))
            #expect(AccessPolicy.permits(actor, .unlinkSession) == (actor == .user))
            #expect(AccessPolicy.permits(actor, .taskFields) == (actor != .system))
        }
    }
}
