import Foundation
import MaestroDomain
import Metrics
import Prometheus

/// The server's metrics (swift-metrics, exported by swift-prometheus at /metrics): transitions by kind and result,
/// connected stream clients, events relayed, and relay lag (commit to hand-off to the client's queue).
///
/// Each server has its own registry (no global bootstrap), so several servers can run in one process (tests).
public struct ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let connectedClients: Metrics.Gauge
    private let eventsRelayed: Metrics.Counter
    private let relayLag: Metrics.Timer

    public init() {
        factory = PrometheusMetricsFactory(registry: registry)
        connectedClients = Metrics.Gauge(label: "maestro_stream_clients", factory: factory)
        eventsRelayed = Metrics.Counter(label: "maestro_events_relayed_total", factory: factory)
        relayLag = Metrics.Timer(label: "maestro_relay_lag_seconds", factory: factory)
    }

    /// Counts one write through the function library: `kind` is the function, `result` `ok` or the refusal code.
    func transition(kind: String, result: String) {
        Metrics.Counter(
            label: "maestro_transitions_total", dimensions: [("kind", kind), ("result", result)], factory: factory
        )
        .increment()
    }

    func clients(_ count: Int) { connectedClients.record(count) }

    /// One event handed to `clients` subscriptions; its id carries its commit time in milliseconds.
    func relayed(_ id: StreamID, clients: Int) {
        eventsRelayed.increment(by: clients)
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        relayLag.recordNanoseconds(Int64(now > id.milliseconds ? now - id.milliseconds : 0) * 1_000_000)
    }

    /// The Prometheus text exposition.
    public func exposition() -> String { registry.emitToString() }
}
