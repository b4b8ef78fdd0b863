import MaestroDomain
import Testing

@Suite("State machines, every (from, to) pair")
struct StateMachineTests {
    @Test("task status", arguments: TaskStatus.allCases, TaskStatus.allCases)
    func taskStatus(from: TaskStatus, to: TaskStatus) {
        let decision = TaskStatusTransition.decide(from: from, to: to)
        if from == to {
            #expect(decision == .unchanged)
        } else if SpecTables.task.contains([from, to]) {
            #expect(decision == .apply)
        } else {
            let expected = TaskStatus.allCases.filter { SpecTables.task.contains([from, $0]) }
            #expect(decision == .refused(allowed: TaskStatusTransition.allowedTargets(from: from)))
            #expect(Set(TaskStatusTransition.allowedTargets(from: from)) == Set(expected))
        }
    }

    @Test("session progress", arguments: [nil] + SessionStatus.allCases.map(Optional.some), SessionStatus.allCases)
    func progress(from: SessionStatus?, to: SessionStatus) {
        let decision = ProgressTransition.decide(from: from, to: to)
        guard let from else {
            #expect(decision == .refused(allowed: [.queued]), "only queueing leads out of 'no entry'")
            return
        }
        if from == to {
            #expect(decision == .repeatCurrent)
        } else if SpecTables.progress.contains([from, to]) {
            #expect(decision == .apply)
        } else {
            guard case .refused(let allowed) = decision else {
                Issue.record("\(from) → \(to) must be refused")
                return
            }
            #expect(Set(allowed) == Set(SessionStatus.allCases.filter { SpecTables.progress.contains([from, $0]) }))
        }
    }

    @Test(
        "session lifecycle", arguments: [nil] + SessionLifecycle.allCases.map(Optional.some), SessionLifecycle.allCases)
    func lifecycle(from: SessionLifecycle?, to: SessionLifecycle) {
        let decision = LifecycleTransition.decide(from: from, to: to)
        if SpecTables.lifecycle.contains([from, to]) {
            #expect(decision == .apply)
        } else {
            #expect(decision == .refused(allowed: LifecycleTransition.allowedTargets(from: from)))
            #expect(!LifecycleTransition.allowedTargets(from: from).contains(to))
        }
    }

    @Test("the only automatic task transition is todo → inprogress on a session newly working")
    func automaticTransition() {
        for current in TaskStatus.allCases {
            for previous in [nil] + SessionStatus.allCases {
                for reported in SessionStatus.allCases {
                    let starts = current == .todo && reported == .working && previous != .working
                    #expect(
                        TaskStatusTransition.automaticTarget(current: current, previous: previous, reported: reported)
                            == (starts ? .inprogress : nil))
                }
            }
        }
    }
}
