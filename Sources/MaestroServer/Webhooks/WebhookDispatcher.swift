import Foundation
import Logging
import MaestroDomain
import MaestroStore
import MaestroWebhooks
import ServiceLifecycle

/// Delivers webhooks from this API server; any number of servers may run one against the same Redis.
///
/// Every `pollInterval`, for each project some webhook covers: reads the project's new events through the shared
/// consumer group and enqueues one delivery per wanting webhook, acknowledging them in the same atomic call (each
/// event is enqueued once, however many servers read); every half lease, takes over events another server read but
/// never enqueued (it died in between); then claims the due deliveries it has room for, each under a lease, and sends
/// them concurrently — at most `concurrency` at once, `concurrencyPerWebhook` to one webhook. A delivery whose
/// sender dies is due again when its lease runs out, and another server sends it: at least once, never lost.
public struct WebhookDispatcher: Service, CustomStringConvertible {
    let server: ServerContext
    let settings: WebhookSettings
    let logger: Logger
    /// This process's name in the consumer group.
    let consumer: String
    let sender: WebhookSender
    let inFlight: InFlightDeliveries

    public init(server: ServerContext, logger: Logger) {
        self.server = server
        settings = server.webhooks
        self.logger = logger
        consumer = Self.consumerName()
        sender = WebhookSender(settings: server.webhooks)
        inFlight = InFlightDeliveries(
            limit: server.webhooks.concurrency, limitPerWebhook: server.webhooks.concurrencyPerWebhook)
    }

    public var description: String { "WebhookDispatcher(every \(settings.pollInterval), as \(consumer))" }

    /// What one dispatcher remembers between looks.
    struct State {
        /// The position each project's group was last prepared for, and when.
        var prepared: [String: (start: StreamID, at: ContinuousClock.Instant)] = [:]
        var lastReclaim = ContinuousClock.now
        var lastJanitor = ContinuousClock.now
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                var state = State()
                while !Task.isCancelled {
                    do {
                        try await look(&state, group: &group)
                    } catch {
                        logger.warning("webhook dispatch failed; retrying", metadata: ["error": "\(error)"])
                    }
                    try? await Task.sleep(for: settings.pollInterval)
                }
            }
        }
    }

    /// One look at every covered project: intake, then claims.
    func look(_ state: inout State, group: inout DiscardingTaskGroup) async throws {
        let webhooks = try await server.pool.execute(RegisteredWebhooks())
        let now = ContinuousClock.now
        let reclaim = now - state.lastReclaim >= settings.lease / 2
        let janitor = now - state.lastJanitor >= .seconds(60)
        guard !webhooks.isEmpty || janitor else {
            server.metrics.webhooks.backlog(count: 0, oldestAgeSeconds: 0)
            return
        }
        let projects = try await server.pool.execute(RegisteredProjects())
        var backlog = (count: 0, oldestMillis: UInt64?.none, now: UInt64(0))
        for projectId in projects {
            let covering = webhooks.filter { $0.webhook.covers(projectId: projectId) }
            do {
                let scope = try server.scope(projectId)
                if janitor { try await dropDeleted(in: scope, keeping: webhooks) }
                guard !covering.isEmpty else { continue }
                try await intake(scope, covering: covering, state: &state, reclaim: reclaim)
                let claimed = try await claim(scope, covering: covering, group: &group)
                for entry in claimed.backlog {
                    backlog.count += entry.pending
                    if let oldest = entry.oldestPendingAt { backlog.oldestMillis = min(backlog.oldestMillis ?? oldest, oldest) }
                }
                backlog.now = claimed.now
            } catch {
                logger.warning(
                    "webhook dispatch failed for a project", metadata: ["project": "\(projectId)", "error": "\(error)"])
            }
        }
        if reclaim { state.lastReclaim = now }
        if janitor { state.lastJanitor = now }
        let age = backlog.oldestMillis.map { backlog.now > $0 ? Double(backlog.now - $0) / 1000 : 0 } ?? 0
        server.metrics.webhooks.backlog(count: backlog.count, oldestAgeSeconds: age)
    }

    // MARK: Intake

    /// Enqueues the project's new events (and, when `reclaim`, those another server read but never enqueued).
    func intake(
        _ scope: ProjectScope, covering: [WebhookRegistration], state: inout State, reclaim: Bool
    ) async throws {
        // Nothing older than the oldest covering webhook is read: the group starts (or is moved forward) there.
        let oldest = covering.map(\.createdAtMillis).min() ?? 0
        let start = StreamID(milliseconds: oldest > 0 ? oldest - 1 : 0, sequence: 0)
        let prepared = state.prepared[scope.projectId]
        if prepared?.start != start || ContinuousClock.now - prepared!.at > .seconds(600) {
            _ = try await server.execute(PrepareWebhookIntake(scope: scope, start: start))
            state.prepared[scope.projectId] = (start, ContinuousClock.now)
        }
        var sources: [ReadForWebhooks.Source] = [.new]
        if reclaim { sources.append(.abandoned(minimumIdle: settings.lease)) }
        for source in sources {
            // At most ten batches per look, so one busy project does not hold up the others.
            for _ in 0..<10 {
                let read = ReadForWebhooks(scope: scope, consumer: consumer, source: source)
                guard let page = try await server.pool.execute(read) else {
                    state.prepared[scope.projectId] = nil  // the group is gone (a reset stream): made again next time
                    return
                }
                guard page.entriesRead > 0 else { break }
                try await enqueue(page, in: scope)
                if case .abandoned = source { break }
            }
        }
    }

    /// Enqueues the deliveries of entries read through the group and acknowledges them.
    func enqueue(_ page: EventsAfter.Page, in scope: ProjectScope) async throws {
        // Read after the entries: a webhook missing here was created after they were committed, so it wants none.
        let webhooks = try await server.pool.execute(RegisteredWebhooks())
        let targets = DeliveryMatching.targets(
            events: page.events, otherEntries: page.malformedIDs, projectId: scope.projectId, webhooks: webhooks)
        let outcome = try await server.execute(EnqueueWebhookDeliveries(scope: scope, targets: targets))
        server.metrics.webhooks.enqueued(outcome.enqueued)
        if outcome.missing > 0 {
            logger.warning(
                "events were trimmed from the stream before their webhooks got them",
                metadata: ["project": "\(scope.projectId)", "events": "\(outcome.missing)"])
        }
    }

    // MARK: Delivery

    /// Claims the due deliveries there is room for and starts sending them; returns the claim (with the backlog).
    func claim(
        _ scope: ProjectScope, covering: [WebhookRegistration], group: inout DiscardingTaskGroup
    ) async throws -> ClaimWebhookDeliveries.Outcome {
        let token = RandomIdentifier.make(prefix: "claim")
        let capacity = inFlight.capacity(for: covering.map(\.webhook.id))
        let outcome = try await server.execute(
            ClaimWebhookDeliveries(scope: scope, lease: settings.lease, token: token, capacity: capacity))
        for claimed in outcome.claimed {
            guard let registration = covering.first(where: { $0.webhook.id == claimed.webhookId }) else { continue }
            inFlight.begin(claimed.webhookId)
            group.addTask {
                await deliver(claimed, of: registration, in: scope, token: token)
                inFlight.end(claimed.webhookId)
            }
        }
        return outcome
    }

    /// Sends one claimed delivery and records how it went (unless this server is stopping: then its lease hands it
    /// to another).
    func deliver(
        _ claimed: ClaimWebhookDeliveries.Claimed, of registration: WebhookRegistration, in scope: ProjectScope,
        token: String
    ) async {
        let outcome: ReportWebhookDelivery.Outcome
        do {
            guard let secret = WebhookSecret(registration.secret) else {
                throw MaestroError(.invalidInput, "the webhook's secret cannot be read")
            }
            let message = try WebhookMessage(
                eventId: claimed.eventId, type: claimed.type, projectId: scope.projectId, payload: claimed.payload,
                format: registration.webhook.format, secret: secret, timestamp: Int64(Date().timeIntervalSince1970))
            let result = await sender.send(to: registration.webhook.url, message)
            if Task.isCancelled { return }
            outcome = decide(result, attempt: claimed.attempts)
        } catch {
            outcome = .dead(status: nil, error: "\(error)")
        }
        let metrics = server.metrics.webhooks
        switch outcome {
        case .delivered:
            metrics.attempt("delivered")
            metrics.delivered(committedMillis: claimed.createdAt)
        case .retry(_, let status, _), .dead(let status, _):
            metrics.attempt(status == nil ? "error" : "http_error")
        }
        do {
            let report = try await server.execute(
                ReportWebhookDelivery(
                    scope: scope, webhookId: claimed.webhookId, eventId: claimed.eventId, token: token,
                    outcome: outcome))
            guard report.applied else { return }
            switch outcome {
            case .delivered: metrics.outcome("delivered")
            case .retry: metrics.outcome("retry")
            case .dead(_, let error):
                metrics.outcome("dead")
                logger.warning(
                    "webhook delivery failed for the last time",
                    metadata: [
                        "webhook": "\(claimed.webhookId)", "project": "\(scope.projectId)",
                        "event": "\(claimed.eventId)", "attempts": "\(claimed.attempts)", "error": "\(error)",
                    ])
            }
        } catch {
            // Not recorded: the lease runs out and the delivery is sent again (at least once).
            logger.warning(
                "could not record a webhook delivery", metadata: ["event": "\(claimed.eventId)", "error": "\(error)"])
        }
    }

    /// What a finished attempt means for the delivery: done, try again later (with jitter), or dead.
    func decide(_ result: WebhookSender.Outcome, attempt: Int) -> ReportWebhookDelivery.Outcome {
        switch result {
        case .delivered(let status):
            return .delivered(status: status)
        case .failed(let status, let error):
            guard let delay = settings.schedule.delay(afterFailedAttempt: attempt, jitter: .random(in: 0...1)) else {
                return .dead(status: status, error: error)
            }
            return .retry(after: delay, status: status, error: error)
        }
    }

    // MARK: Housekeeping

    /// Drops the deliveries of webhooks deleted while their data was being dropped elsewhere (a server that stopped
    /// half-way through a DELETE).
    func dropDeleted(in scope: ProjectScope, keeping webhooks: [WebhookRegistration]) async throws {
        let registered = Set(webhooks.map(\.webhook.id))
        for webhookId in try await server.execute(ProjectWebhookIDs(scope: scope)) where !registered.contains(webhookId) {
            while try await server.execute(DropWebhookDeliveries(scope: scope, webhookId: webhookId)) {}
        }
    }

    /// `<host>-<pid>-<random>`: unique per process, readable in `XINFO CONSUMERS`.
    static func consumerName() -> String {
        let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
        return "\(host.prefix(40))-\(ProcessInfo.processInfo.processIdentifier)-"
            + RandomIdentifier.make(prefix: "c").dropFirst(2).prefix(8)
    }
}
