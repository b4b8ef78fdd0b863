import MaestroDomain

/// One measured round of one side: every receiver's latencies merged, and whether each receiver saw every event.
struct LatencyRound {
    /// Who received the events.
    enum Side: String {
        case raw = "raw SSUBSCRIBE"
        case webSocket = "maestro-server /ws"
    }

    /// CPU used during the measured window, in cores (CPU seconds per wall second), by each process; for the server
    /// and Redis also the part spent in the kernel.
    struct CPUShare {
        var bench: Double
        var server: Double
        var serverKernel: Double
        var redis: Double
        var redisKernel: Double
    }

    var side: Side
    var receivers: Int
    var eventsSent: Int
    /// Measured events received, by all receivers together (the target is receivers × eventsSent).
    var framesReceived: Int
    /// Events some receiver should have seen and did not (each receiver counted on its own).
    var lost: Int
    /// Events a receiver saw more than once.
    var duplicates: Int
    /// Milliseconds, nearest-rank percentiles over every frame of the round.
    var p50: Double
    var p99: Double
    var max: Double
    /// Receivers whose connection ended before the round did, by reason.
    var endedEarly: [String: Int]
    var cpu: CPUShare

    /// `sendTimes`: when each measured event's FCALL was sent, by event id.
    init(side: Side, results: [ReceiverResult], sendTimes: [StreamID: UInt64], cpu: CPUShare) {
        self.side = side
        self.receivers = results.count
        let eventsSent = sendTimes.count
        self.eventsSent = eventsSent
        self.cpu = cpu
        var all: [Int64] = []
        all.reserveCapacity(results.reduce(0) { $0 + $1.arrivals.count })
        var lost = 0
        var duplicates = 0
        var endedEarly: [String: Int] = [:]
        for result in results {
            let latencies = result.arrivals.compactMap { arrival in
                sendTimes[arrival.id].map { Int64(bitPattern: arrival.nanoseconds &- $0) }
            }
            all.append(contentsOf: latencies)
            lost += Swift.max(0, eventsSent - Set(result.arrivals.map(\.id)).count)
            duplicates += result.arrivals.count - Set(result.arrivals.map(\.id)).count
            if let reason = result.endedEarly { endedEarly[reason, default: 0] += 1 }
        }
        all.sort()
        framesReceived = all.count
        self.lost = lost
        self.duplicates = duplicates
        self.endedEarly = endedEarly
        func percentile(_ fraction: Double) -> Double {
            guard !all.isEmpty else { return .nan }
            let rank = Swift.max(1, Int((fraction * Double(all.count)).rounded(.up)))
            return Double(all[rank - 1]) / 1e6
        }
        p50 = percentile(0.50)
        p99 = percentile(0.99)
        max = percentile(1.0)
    }
}
