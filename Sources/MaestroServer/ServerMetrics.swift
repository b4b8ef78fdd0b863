import Foundation
import MaestroDomain
import Metrics
import Prometheus

/// The server's metrics (swift-metrics, exported by swift-prometheus at /metrics): transitions by kind and result,
/// connected stream clients and those dropped for being too slow, events relayed, relay lag (commit to hand-off to
/// the client's queue), live messages ignored as forged and stream entries that are not events, sessions failed for
/// a lost heartbeat, archived tasks and progress entries marked stale; and the webhooks' (`webhooks`).
///
/// Each server has its own registry (no global bootstrap), so several servers can run in one process (tests).
public struct ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let connectedClients: Metrics.Gauge
    private let slowClients: Metrics.Counter
    private let eventsRelayed: Metrics.Counter
    private let relayLag: Metrics.Timer
    private let sessionsLost: Metrics.Counter
    private let forged: Metrics.Counter
    private let archivedTasks: Metrics.Counter
    private let staleMarked: Metrics.Counter
    private let malformed: Metrics.Counter
    /// Webhook deliveries: attempts, outcomes, the backlog.
    public let webhooks: WebhookMetrics

    public init() {
        factory = PrometheusMetricsFactory(registry: registry)
        connectedClients = Metrics.Gauge(label: "maestro_stream_clients", factory: factory)
        slowClients = Metrics.Counter(label: "maestro_stream_clients_too_slow_total", factory: factory)
        eventsRelayed = Metrics.Counter(label: "maestro_events_relayed_total", factory: factory)
        relayLag = Metrics.Timer(label: "maestro_relay_lag_seconds", factory: factory)
        sessionsLost = Metrics.Counter(label: "maestro_sessions_heartbeat_lost_total", factory: factory)
        forged = Metrics.Counter(label: "maestro_relay_forged_messages_total", factory: factory)
        archivedTasks = Metrics.Counter(label: "maestro_tasks_archived_total", factory: factory)
        staleMarked = Metrics.Counter(label: "maestro_progress_stale_total", factory: factory)
        malformed = Metrics.Counter(label: "maestro_relay_malformed_stream_entries_total", factory: factory)
        webhooks = WebhookMetrics(factory: factory)
    }

    /// Counts one write through the function library: `kind` is the function, `result` `ok` or the refusal code.
    func transition(kind: String, result: String) {
        Metrics.Counter(
            label: "maestro_transitions_total", dimensions: [("kind", kind), ("result", result)], factory: factory
        )
        .increment()
    }

    /// Sessions a lease sweep of this server failed because their heartbeat was lost.
    func heartbeatsLost(_ count: Int) {
        if count > 0 { sessionsLost.increment(by: count) }
    }

    func clients(_ count: Int) { connectedClients.record(count) }

    /// One stream client disconnected for falling more than the queue limit behind.
    func clientTooSlow() { slowClients.increment() }

    /// Finished tasks the archive sweep of this server moved into the archive.
    func archived(_ count: Int) { archivedTasks.increment(by: count) }

    /// Progress entries the stale sweep of this server marked stale.
    func staleEntries(_ count: Int) { staleMarked.increment(by: count) }

    /// Live messages that named no event of their project's stream (not an id, an unknown or old id): published
    /// by something other than the function library, and ignored.
    func forgedPublishes(_ count: Int) { forged.increment(by: count) }

    /// Stream entries that are not Maestro events (unknown type, payload not a JSON object), left out of every feed.
    func malformedStreamEntries(_ count: Int) {
        if count > 0 { malformed.increment(by: count) }
    }

    /// One event handed to `clients` subscriptions; its id carries its commit time in milliseconds.
    func relayed(_ id: StreamID, clients: Int) {
        eventsRelayed.increment(by: clients)
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        relayLag.recordNanoseconds(Int64(now > id.milliseconds ? now - id.milliseconds : 0) * 1_000_000)
    }

    /// The Prometheus text exposition.
    public func exposition() -> String { registry.emitToString() }
}
