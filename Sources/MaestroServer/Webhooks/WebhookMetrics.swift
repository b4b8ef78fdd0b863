import Foundation
import Metrics
import Prometheus

/// The webhook metrics of one server: attempts by result, deliveries by final outcome, events enqueued, the backlog
/// (pending deliveries and the age of the oldest, across every project and webhook, as of the last look), and the
/// time from an event's commit to its receiver's 2xx.
public struct WebhookMetrics: Sendable {
    private let factory: PrometheusMetricsFactory
    private let enqueued: Metrics.Counter
    private let pending: Metrics.Gauge
    private let oldestPending: Metrics.Gauge
    private let lag: Metrics.Timer

    init(factory: PrometheusMetricsFactory) {
        self.factory = factory
        enqueued = Metrics.Counter(label: "maestro_webhook_enqueued_total", factory: factory)
        pending = Metrics.Gauge(label: "maestro_webhook_pending", factory: factory)
        oldestPending = Metrics.Gauge(label: "maestro_webhook_oldest_pending_seconds", factory: factory)
        lag = Metrics.Timer(label: "maestro_webhook_delivery_lag_seconds", factory: factory)
    }

    /// Deliveries created from events this server read.
    func enqueued(_ count: Int) {
        if count > 0 { enqueued.increment(by: count) }
    }

    /// One attempt this server sent: `result` is `delivered`, `http_error` (a non-2xx answer) or `error` (no answer).
    func attempt(_ result: String) {
        Metrics.Counter(
            label: "maestro_webhook_attempts_total", dimensions: [("result", result)], factory: factory
        ).increment()
    }

    /// A delivery's recorded outcome after an attempt by this server: `delivered`, `retry` or `dead`.
    func outcome(_ outcome: String) {
        Metrics.Counter(
            label: "maestro_webhook_deliveries_total", dimensions: [("outcome", outcome)], factory: factory
        ).increment()
    }

    /// A delivery that succeeded, for the event committed at `committedMillis` (Redis's clock, ms since 1970).
    func delivered(committedMillis: UInt64) {
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        lag.recordNanoseconds(Int64(now > committedMillis ? now - committedMillis : 0) * 1_000_000)
    }

    /// The backlog as of the last look: `count` pending deliveries, the oldest committed `oldestAgeSeconds` ago.
    func backlog(count: Int, oldestAgeSeconds: Double) {
        pending.record(count)
        oldestPending.record(oldestAgeSeconds)
    }
}
