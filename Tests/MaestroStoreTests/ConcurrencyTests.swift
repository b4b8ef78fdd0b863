import Foundation
import MaestroDomain
import MaestroStore
import RedisClient
import Testing

@Suite("Concurrent writers against a real Redis")
struct ConcurrencyTests {
    static let clients = 32
    static let updatesPerClient = 200
    static let taskCount = 8

    /// What one client saw accepted: the task and the ids of the events its change emitted.
    struct Accepted: Sendable {
        var taskId: String
        var eventIds: [String]
    }

    @Test(
        "32 clients × 200 updates over 8 tasks: final state = serial replay, contiguous versions, one event per change")
    func concurrentUpdates() async throws {
        let fixture = try await StoreFixture()
        let scope = try fixture.newScope()
        let tasks = try (0..<Self.taskCount).map { try fixture.createTask(scope, id: "task-\($0)").id }
        let sessions = try (0..<Self.clients).map { _ in try fixture.spawnSession(scope, taskIds: tasks) }
        let setupEvents = try fixture.events(scope)
        let pool = RedisConnectionPool(configuration: fixture.server.configuration, size: Self.clients)
        defer { pool.shutdown() }

        let accepted = try await withThrowingTaskGroup(of: [Accepted].self) { group in
            for (client, session) in sessions.enumerated() {
                group.addTask {
                    var random = SeededGenerator(seed: UInt64(client + 1))
                    var mine: [Accepted] = []
                    for step in 0..<Self.updatesPerClient {
                        let taskId = tasks[Int(random.next() % UInt64(tasks.count))]
                        do {
                            if step % 10 == 9 {  // now and then a user moves the task
                                let status = TaskStatus.allCases[Int(random.next() % 4)]
                                let change = try await pool.run(
                                    UpdateTask(scope: scope, taskId: taskId, status: status))
                                mine.append(Accepted(taskId: taskId, eventIds: change.eventIds))
                            } else {
                                let status = SessionStatus.allCases[Int(random.next() % 7)]
                                let change = try await pool.run(
                                    UpdateProgress(
                                        scope: scope, session: session, taskId: taskId, status: status,
                                        notes: "c\(client) s\(step)"))
                                mine.append(Accepted(taskId: taskId, eventIds: change.eventIds))
                            }
                        } catch let error as MaestroError where error.code == .invalidTransition {
                            continue  // refused by the state machine: must have changed nothing (checked below)
                        }
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }

        let events = try fixture.events(scope)
        let acceptedIds = accepted.flatMap(\.eventIds)
        #expect(acceptedIds.count > Self.clients * Self.updatesPerClient / 10, "enough changes were accepted")
        #expect(Set(acceptedIds).count == acceptedIds.count, "no event is claimed twice")
        #expect(events.count == setupEvents.count + acceptedIds.count, "exactly one event per accepted change")
        #expect(Set(events.dropFirst(setupEvents.count).map(\.id)) == Set(acceptedIds))

        // Replay the stream serially through the domain's state machines and compare with what Redis holds.
        var models = [String: TaskRecord]()
        var startedBy = Set<String>()  // tasks whose last event was a `working` report while todo
        for event in events {
            let body = payload(event)
            switch event.type {
            case .taskCreated, .taskUpdated:
                let data = try JSONSerialization.data(withJSONObject: body["task"] as Any)
                let task = try JSONDecoder().decode(TaskRecord.self, from: data)
                if let model = models[task.id] {
                    #expect(task.version == model.version + 1, "contiguous versions on \(task.id)")
                    if startedBy.remove(task.id) != nil {
                        #expect(model.status == .todo && task.status == .inprogress, "the automatic start follows")
                    } else {
                        #expect(
                            TaskStatusTransition.decide(from: model.status, to: task.status) == .apply,
                            "\(model.status) → \(task.status) is an allowed user change")
                    }
                    #expect(task.sessionProgress == model.sessionProgress, "a task event carries the replayed progress")
                }
                models[task.id] = task
            case .taskSessionStatus:
                let taskId = try #require(body["taskId"] as? String)
                var model = try #require(models[taskId])
                let sessionId = try #require(body["sessionId"] as? String)
                let status = try #require((body["status"] as? String).flatMap(SessionStatus.init(rawValue:)))
                let version = try #require(body["version"] as? Int)
                #expect(version == model.version + 1, "contiguous versions on \(taskId)")
                let entry = SessionProgress(
                    sessionId: sessionId, status: status, lastUpdated: body["lastUpdated"] as? String ?? "",
                    notes: body["notes"] as? String)
                let previous = model.sessionProgress.first { $0.sessionId == sessionId }?.status
                if let index = model.sessionProgress.firstIndex(where: { $0.sessionId == sessionId }) {
                    let decision = ProgressTransition.decide(from: model.sessionProgress[index].status, to: status)
                    #expect(decision == .apply || decision == .repeatCurrent, "an accepted change was allowed")
                    model.sessionProgress[index] = entry
                } else {
                    #expect(status == .queued)
                    model.sessionIds.append(sessionId)
                    model.sessionProgress.append(entry)
                }
                model.version = version
                #expect(!startedBy.contains(taskId), "the automatic start came right after its report")
                if TaskStatusTransition.automaticTarget(current: model.status, previous: previous, reported: status)
                    != nil
                {
                    startedBy.insert(taskId)
                }
                models[taskId] = model
            default:
                continue
            }
        }
        for taskId in tasks {
            let stored = try fixture.task(scope, taskId)
            let model = try #require(models[taskId])
            #expect(stored.status == model.status && stored.version == model.version, "\(taskId)")
            #expect(stored.sessionProgress == model.sessionProgress, "\(taskId) progress equals the replay")
        }
    }
}

/// A small deterministic generator (SplitMix64), so a failing run can be reproduced.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
