import BenchReporting
/// One concurrency level of the throughput comparison: every measurement of both sides.
struct StoreComparison {
    /// One measurement: its throughput and what each call cost in CPU time.
    struct Sample {
        /// Transitions per second.
        var rate: Double
        /// CPU microseconds per call spent by the client (our process, or redis-benchmark).
        var clientMicroseconds: Double
        /// CPU microseconds per call spent by redis-server meanwhile.
        var serverMicroseconds: Double
    }

    var concurrency: Int
    /// Calls per measurement, the same for both sides.
    var requests: Int
    /// Through the store's blocking API (thread per connection).
    var ours: [Sample] = []
    /// Through the store's async pool (pipelined).
    var pooled: [Sample] = []
    var reference: [Sample] = []

    /// Median transitions per second through the store's blocking API.
    var oursRate: Double { ours.map(\.rate).median }
    /// Median transitions per second through the store's async pool.
    var pooledRate: Double { pooled.map(\.rate).median }
    /// The pool's median throughput over redis-benchmark's.
    var pooledRatio: Double { pooledRate / referenceRate }
    /// Median transitions per second through redis-benchmark.
    var referenceRate: Double { reference.map(\.rate).median }
    /// Our median throughput over redis-benchmark's; the target is at least `StoreComparison.target`.
    var ratio: Double { oursRate / referenceRate }

    /// The least acceptable ratio: the store's Swift client may cost at most a fifth of the reference's throughput.
    static let target = 0.8
}
