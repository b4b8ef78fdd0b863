import Foundation
import MaestroDomain
import MaestroStore
import RedisClient
import RedisTestSupport
import Testing

/// The project's side of webhooks against a real redis-server: the consumer group, enqueueing exactly once, taking
/// over a dead reader's events, leases, outcomes, a person's retry, and dropping a deleted webhook's data.
@Suite("Webhook deliveries in the store")
final class WebhookStoreTests {
    let fixture: StoreFixture

    init() async throws { fixture = try await StoreFixture() }

    /// A project with `events` task creations, its group prepared to read all of them.
    func project(events: Int) throws -> ProjectScope {
        let scope = try fixture.newScope()
        for _ in 0..<events { try fixture.createTask(scope) }
        _ = try fixture.connection.run(PrepareWebhookIntake(scope: scope, start: .zero))
        return scope
    }

    /// Reads new entries as `consumer` and enqueues them for `webhooks`; nil when nothing was new.
    func intake(
        _ scope: ProjectScope, as consumer: String, on connection: RedisConnection,
        webhooks: [String] = ["wh_a", "wh_b"]
    ) throws -> EnqueueWebhookDeliveries.Outcome? {
        let read = ReadForWebhooks(scope: scope, consumer: consumer, source: .new)
        guard let page = try connection.execute(read), page.entriesRead > 0 else { return nil }
        return try connection.run(
            EnqueueWebhookDeliveries(scope: scope, targets: page.events.map { ($0.id, webhooks) }))
    }

    func count(_ key: String) throws -> Int {
        Int(try fixture.connection.send(RedisCommand("ZCARD", key)).integer ?? -1)
    }

    func pendingInGroup(_ scope: ProjectScope) throws -> Int {
        Int(
            try fixture.connection.send(RedisCommand("XPENDING", scope.eventStream, WebhookIntake.group)).array?.first?
                .integer ?? -1)
    }

    @Test("four readers at once: every event enqueued once per webhook, every event acknowledged once")
    func exactlyOnce() async throws {
        let scope = try project(events: 450)
        let pool = RedisConnectionPool(configuration: fixture.server.configuration, size: 4)
        defer { pool.shutdown() }
        let totals = try await withThrowingTaskGroup(of: (Int, Int, Int).self) { group in
            for reader in 0..<4 {
                group.addTask {
                    var sums = (0, 0, 0)
                    while true {
                        let read = ReadForWebhooks(scope: scope, consumer: "reader-\(reader)", source: .new)
                        guard let page = try await pool.execute(read), page.entriesRead > 0 else { break }
                        let outcome = try await pool.run(
                            EnqueueWebhookDeliveries(
                                scope: scope, targets: page.events.map { ($0.id, ["wh_a", "wh_b"]) }))
                        sums.0 += outcome.enqueued
                        sums.1 += outcome.acknowledged
                        sums.2 += outcome.skipped
                    }
                    return sums
                }
            }
            return try await group.reduce(into: (0, 0, 0)) { $0 = ($0.0 + $1.0, $0.1 + $1.1, $0.2 + $1.2) }
        }
        #expect(totals.0 == 900 && totals.1 == 450 && totals.2 == 0, "\(totals)")
        for webhook in ["wh_a", "wh_b"] {
            #expect(try count(scope.keyPrefix + "webhook:\(webhook)/pending") == 450)
            #expect(try count(scope.keyPrefix + "webhook:\(webhook)/due") == 450)
            #expect(try count(scope.keyPrefix + "webhook:\(webhook)/log") == 450)
        }
        #expect(try pendingInGroup(scope) == 0)
        #expect(try fixture.connection.run(ProjectWebhookIDs(scope: scope)) == ["wh_a", "wh_b"])
    }

    @Test("a reader that dies after reading: another takes its events over after the idle time, each once")
    func reclaim() async throws {
        let scope = try project(events: 30)
        let dead = fixture.server.connect()
        let read = try #require(try dead.execute(ReadForWebhooks(scope: scope, consumer: "dead", source: .new)))
        #expect(read.entriesRead == 30)
        #expect(try pendingInGroup(scope) == 30)
        let survivor = fixture.server.connect()
        let early = ReadForWebhooks(scope: scope, consumer: "survivor", source: .abandoned(minimumIdle: .seconds(30)))
        #expect(try survivor.execute(early)?.entriesRead == 0, "not idle long enough yet")
        try await Task.sleep(for: .milliseconds(300))
        let late = ReadForWebhooks(
            scope: scope, consumer: "survivor", source: .abandoned(minimumIdle: .milliseconds(200)))
        let taken = try #require(try survivor.execute(late))
        #expect(taken.entriesRead == 30)
        let outcome = try survivor.run(
            EnqueueWebhookDeliveries(scope: scope, targets: taken.events.map { ($0.id, ["wh_a"]) }))
        #expect(outcome.enqueued == 30 && outcome.acknowledged == 30)
        // The "dead" reader was only slow: its own enqueue of the same events now changes nothing.
        let stale = try dead.run(EnqueueWebhookDeliveries(scope: scope, targets: read.events.map { ($0.id, ["wh_a"]) }))
        #expect(stale.enqueued == 0 && stale.skipped == 30)
        #expect(try count(scope.keyPrefix + "webhook:wh_a/pending") == 30)
        #expect(try pendingInGroup(scope) == 0)
    }

    @Test("the group starts at the oldest webhook, moves forward when asked, never back")
    func groupPosition() throws {
        let scope = try project(events: 0)
        try fixture.createTask(scope)
        let second = try fixture.createTask(scope)
        _ = second
        let ids = try fixture.events(scope).map(\.id)
        // Prepared at 0: both events are read. Moved past the first: only the second would be.
        let moved = try fixture.connection.run(PrepareWebhookIntake(scope: scope, start: StreamID(ids[0])!))
        #expect(!moved.created && moved.movedTo == ids[0])
        let back = try fixture.connection.run(PrepareWebhookIntake(scope: scope, start: .zero))
        #expect(back.movedTo == nil, "never moved back")
        let page = try #require(
            try fixture.connection.execute(ReadForWebhooks(scope: scope, consumer: "c", source: .new)))
        #expect(page.events.map(\.id.description) == [ids[1]])
        let fresh = try fixture.newScope()
        #expect(
            try fixture.connection.execute(ReadForWebhooks(scope: fresh, consumer: "c", source: .new)) == nil,
            "no group yet: nil, not an error")
        #expect(throws: MaestroError.self) {
            try fixture.connection.run(EnqueueWebhookDeliveries(scope: fresh, targets: [(StreamID.zero, ["wh_a"])]))
        }
    }

    @Test("consumers idle longer than asked and holding nothing are forgotten; one holding an event stays")
    func idleConsumers() async throws {
        let scope = try project(events: 2)
        #expect(try intake(scope, as: "done", on: fixture.connection) != nil, "read and enqueued: holds nothing")
        try fixture.createTask(scope)
        let held = try fixture.connection.execute(ReadForWebhooks(scope: scope, consumer: "holding", source: .new))
        #expect(held?.entriesRead == 1, "read, not enqueued: pending in the group")
        try await Task.sleep(for: .milliseconds(100))
        let consumers = {
            let reply = try self.fixture.connection.send(
                RedisCommand("XINFO", "CONSUMERS", scope.eventStream, WebhookIntake.group))
            return (reply.array ?? []).compactMap { $0.array?[1].string }.sorted()
        }
        let recent = try fixture.connection.run(
            PrepareWebhookIntake(scope: scope, start: .zero, forgetIdleConsumersAfter: .seconds(60)))
        #expect(recent.forgotten == 0, "not idle long enough")
        #expect(try consumers() == ["done", "holding"])
        let idle = try fixture.connection.run(
            PrepareWebhookIntake(scope: scope, start: .zero, forgetIdleConsumersAfter: .milliseconds(50)))
        #expect(idle.forgotten == 1)
        #expect(try consumers() == ["holding"], "what it holds is another server's to take over")
        #expect(try pendingInGroup(scope) == 1)
    }

    @Test("a claim is leased: nobody else gets it until the lease runs out; then the old claim's report is ignored")
    func leases() async throws {
        let scope = try project(events: 1)
        _ = try intake(scope, as: "c", on: fixture.connection, webhooks: ["wh_a"])
        let first = try fixture.connection.run(
            ClaimWebhookDeliveries(scope: scope, lease: .milliseconds(300), token: "claim_1", capacity: [("wh_a", 5)]))
        #expect(first.claimed.count == 1 && first.claimed[0].attempts == 1)
        #expect(first.backlog.map(\.pending) == [1] && first.backlog[0].oldestPendingAt == first.claimed[0].createdAt)
        let during = try fixture.connection.run(
            ClaimWebhookDeliveries(scope: scope, lease: .seconds(5), token: "claim_2", capacity: [("wh_a", 5)]))
        #expect(during.claimed.isEmpty)
        try await Task.sleep(for: .milliseconds(350))
        let after = try fixture.connection.run(
            ClaimWebhookDeliveries(scope: scope, lease: .seconds(5), token: "claim_3", capacity: [("wh_a", 5)]))
        #expect(after.claimed.map(\.attempts) == [2])
        let eventId = after.claimed[0].eventId
        func report(_ token: String, _ outcome: ReportWebhookDelivery.Outcome) throws -> ReportWebhookDelivery.Result {
            try fixture.connection.run(
                ReportWebhookDelivery(scope: scope, webhookId: "wh_a", eventId: eventId, token: token, outcome: outcome)
            )
        }
        #expect(try report("claim_1", .delivered(status: 200)).applied == false, "the first claim was taken over")
        let done = try report("claim_3", .delivered(status: 204))
        #expect(done.applied && done.delivery?.state == .delivered && done.delivery?.lastStatus == 204)
        #expect(done.delivery?.deliveredAt != nil && done.delivery?.nextAttemptAt == nil)
        #expect(try report("claim_3", .delivered(status: 200)).applied == false, "reported once")
        let key = scope.keyPrefix + "webhook:wh_a/delivery/" + eventId
        #expect((try fixture.connection.send(RedisCommand("TTL", key)).integer ?? 0) > 6 * 86400, "kept a week")
        #expect(try count(scope.keyPrefix + "webhook:wh_a/pending") == 0)
    }

    @Test("failed attempts wait their delay; a dead delivery leaves the schedule; a person's retry sends it again")
    func outcomesAndRetry() async throws {
        let scope = try project(events: 1)
        _ = try intake(scope, as: "c", on: fixture.connection, webhooks: ["wh_a"])
        func claim(_ token: String) throws -> [ClaimWebhookDeliveries.Claimed] {
            try fixture.connection.run(
                ClaimWebhookDeliveries(scope: scope, lease: .seconds(30), token: token, capacity: [("wh_a", 1)])
            ).claimed
        }
        let eventId = try #require(try claim("claim_a").first?.eventId)
        func report(_ token: String, _ outcome: ReportWebhookDelivery.Outcome) throws -> WebhookDelivery? {
            try fixture.connection.run(
                ReportWebhookDelivery(scope: scope, webhookId: "wh_a", eventId: eventId, token: token, outcome: outcome)
            ).delivery
        }
        let waiting = try report("claim_a", .retry(after: .milliseconds(250), status: 503, error: "HTTP 503"))
        #expect(waiting?.state == .pending && waiting?.lastStatus == 503 && waiting?.lastError == "HTTP 503")
        #expect(try claim("claim_b").isEmpty, "not due before its delay")
        try await Task.sleep(for: .milliseconds(300))
        #expect(try claim("claim_c").map(\.attempts) == [2])
        let dead = try report("claim_c", .dead(status: nil, error: "connection refused"))
        #expect(dead?.state == .dead && dead?.lastStatus == nil && dead?.lastError == "connection refused")
        #expect(try count(scope.keyPrefix + "webhook:wh_a/due") == 0)
        #expect(try claim("claim_d").isEmpty)

        let retried = try fixture.connection.run(
            RetryWebhookDelivery(scope: scope, webhookId: "wh_a", eventId: eventId))
        #expect(retried.state == .pending && retried.attempts == 0)
        let again = try claim("claim_e")
        #expect(again.map(\.attempts) == [1])
        #expect(
            fixture.refusal(.conflict) {
                _ = try self.fixture.connection.run(
                    RetryWebhookDelivery(scope: scope, webhookId: "wh_a", eventId: eventId))
            } != nil, "refused while it is being sent")
        #expect(
            fixture.refusal(.notFound) {
                _ = try self.fixture.connection.run(
                    RetryWebhookDelivery(scope: scope, webhookId: "wh_a", eventId: "1-0"))
            } != nil)
        let listed = try fixture.connection.run(ListWebhookDeliveries(scope: scope, webhookId: "wh_a", limit: 10))
        #expect(listed.map(\.eventId) == [eventId] && listed[0].projectId == scope.projectId)
    }

    @Test("claims take only what they are given room for, per webhook")
    func capacity() throws {
        let scope = try project(events: 10)
        while try intake(scope, as: "c", on: fixture.connection) != nil {}
        let outcome = try fixture.connection.run(
            ClaimWebhookDeliveries(
                scope: scope, lease: .seconds(30), token: "claim_x", capacity: [("wh_a", 3), ("wh_b", 0)]))
        #expect(outcome.claimed.count == 3 && Set(outcome.claimed.map(\.webhookId)) == ["wh_a"])
        #expect(outcome.backlog.map(\.pending) == [10, 10])
        // Oldest first.
        #expect(
            outcome.claimed.map(\.eventId)
                == outcome.claimed.map(\.eventId).sorted {
                    StreamID($0)! < StreamID($1)!
                })
    }

    @Test("a webhook's log keeps the newest 1,000; dropping a webhook leaves no key of it behind")
    func logBoundAndDrop() throws {
        let scope = try project(events: 1010)
        while try intake(scope, as: "c", on: fixture.connection, webhooks: ["wh_a"]) != nil {}
        #expect(try count(scope.keyPrefix + "webhook:wh_a/log") == 1000)
        #expect(try count(scope.keyPrefix + "webhook:wh_a/pending") == 1010, "pending ones are kept")
        var rounds = 0
        while try fixture.connection.run(DropWebhookDeliveries(scope: scope, webhookId: "wh_a")) { rounds += 1 }
        #expect(rounds == 1, "1,000 per call")
        #expect(try fixture.connection.keysEverywhere(scope.keyPrefix + "webhook:*").isEmpty)
        #expect(try fixture.connection.run(ProjectWebhookIDs(scope: scope)).isEmpty)
    }
}

@Suite("Redis users and the webhooks")
struct WebhookPermissionsTests {
    /// The commands the webhook functions check up front (`webhooks.commands` in Lua/webhook_intake.lua), with
    /// subcommands as ACL rules name them (`xgroup|create`).
    static func checkedCommands() throws -> Set<String> {
        var path = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        path.removeLast(3)
        let source = try String(
            contentsOfFile: path.joined(separator: "/") + "/Sources/MaestroStore/Lua/webhook_intake.lua",
            encoding: .utf8)
        let list = try #require(source.range(of: "function webhooks.commands")).upperBound
        let end = try #require(source.range(of: "\nend", range: list..<source.endIndex)).lowerBound
        return Set(
            source[list..<end].matches(of: /\{ '([A-Z]+)'(?:, '([A-Z]+)')?/).map { match in
                let command = String(match.output.1).lowercased()
                guard let sub = match.output.2, ["XGROUP", "XINFO"].contains(match.output.1) else { return command }
                return command + "|" + sub.lowercased()
            })
    }

    @Test("the server user holds every command the webhook functions and the dispatcher run")
    func serverHoldsThem() throws {
        let checked = try Self.checkedCommands()
        #expect(checked.count >= 25 && checked.contains("xgroup|create") && checked.contains("xack"))
        #expect(
            checked.isSubset(of: RedisPermissions.webhookCommands),
            "\(checked.subtracting(RedisPermissions.webhookCommands))")
        let acl = try String(contentsOfFile: DeployedUsers.aclFile, encoding: .utf8)
        let line = try #require(acl.split(separator: "\n").first { $0.hasPrefix("user maestro-server ") })
        let granted = Set(line.split(separator: " ").filter { $0.hasPrefix("+") }.map { String($0.dropFirst()) })
        let needed = Set(RedisPermissions.webhookCommands)
        #expect(needed.isSubset(of: granted), "maestro-server lacks \(needed.subtracting(granted).sorted())")
    }

    @Test("the agent user cannot read the webhook registry (it holds the signing secrets); the server user can")
    func agentsCannotReadSecrets() throws {
        let redis = try RedisTestServer(arguments: DeployedUsers.serverArguments)
        defer { redis.stop() }
        let admin = try DeployedUsers.connect("maestro-admin", to: redis)
        _ = try admin.send(RedisCommand("HSET", WebhookRegistry.key, "wh_x", "{\"secret\":\"whsec_x\"}"))
        let agent = try DeployedUsers.connect("maestro-agent", to: redis)
        for command in [
            ["HGETALL", WebhookRegistry.key], ["HGET", WebhookRegistry.key, "wh_x"], ["DEL", WebhookRegistry.key],
        ] {
            let reply = try? agent.send(RedisCommand(arguments: command.map { Array($0.utf8) }))
            #expect(
                reply == nil || "\(reply!)".contains("NOPERM"),
                "agent: \(command) answered \(String(describing: reply))")
        }
        // What agents do need is still theirs: their projects' keys and the two project sets.
        #expect(try agent.send(RedisCommand("SADD", "mae:projects", "p")).integer == 1)
        #expect(try agent.send(RedisCommand("HSET", "mae:{p}:task:x", "a", "b")).integer == 1)
        let server = try DeployedUsers.connect("maestro-server", to: redis)
        #expect(try server.send(RedisCommand("HGET", WebhookRegistry.key, "wh_x")).string?.contains("whsec_x") == true)
    }
}
