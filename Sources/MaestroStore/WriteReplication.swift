import MaestroDomain
import RedisClient

/// The safer write setting for a replicated Redis: every write waits until it reached this many replicas
/// (MAESTRO_WAIT_REPLICAS, default 0: don't wait) within a timeout (MAESTRO_WAIT_TIMEOUT seconds, default 2).
/// Read the same way by the CLI and the server.
public struct WriteReplication: Sendable, Equatable {
    public var replicas: Int
    public var timeout: Duration

    /// Parses the two environment values (nil or empty: the defaults); refuses anything else.
    public init(replicas: String?, timeout: String?) throws(MaestroError) {
        self.replicas = 0
        self.timeout = .seconds(2)
        if let replicas, !replicas.isEmpty {
            guard let count = Int(replicas), (0...16).contains(count) else {
                throw MaestroError(.invalidInput, "MAESTRO_WAIT_REPLICAS must be a number of replicas 0-16")
            }
            self.replicas = count
        }
        if let timeout, !timeout.isEmpty {
            guard let seconds = Double(timeout), seconds > 0, seconds <= 60 else {
                throw MaestroError(.invalidInput, "MAESTRO_WAIT_TIMEOUT must be 0-60 seconds")
            }
            self.timeout = .milliseconds(Int64(seconds * 1000))
        }
    }

    /// Sets it on a connection configuration.
    public func apply(to configuration: inout RedisConfiguration) {
        configuration.replicasPerWrite = replicas
        configuration.replicationTimeout = timeout
    }
}
