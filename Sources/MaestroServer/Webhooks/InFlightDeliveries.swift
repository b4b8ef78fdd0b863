import Synchronization

/// The deliveries this process is sending now, in all and per webhook: claims never take more than the free share,
/// so a slow endpoint holds at most its own slots while every other webhook keeps being served.
final class InFlightDeliveries: Sendable {
    private struct Counts {
        var total = 0
        var byWebhook: [String: Int] = [:]
    }

    private let counts = Mutex(Counts())
    let limit: Int
    let limitPerWebhook: Int

    init(limit: Int, limitPerWebhook: Int) {
        self.limit = limit
        self.limitPerWebhook = limitPerWebhook
    }

    /// How many more deliveries each of `webhookIds` may start now, sharing what is left of the overall limit in
    /// their order.
    func capacity(for webhookIds: [String]) -> [(webhookId: String, count: Int)] {
        counts.withLock { counts in
            var left = limit - counts.total
            return webhookIds.map { id in
                let count = max(0, min(left, limitPerWebhook - counts.byWebhook[id, default: 0]))
                left -= count
                return (id, count)
            }
        }
    }

    func begin(_ webhookId: String) {
        counts.withLock {
            $0.total += 1
            $0.byWebhook[webhookId, default: 0] += 1
        }
    }

    func end(_ webhookId: String) {
        counts.withLock {
            $0.total -= 1
            $0.byWebhook[webhookId, default: 1] -= 1
            if $0.byWebhook[webhookId] == 0 { $0.byWebhook[webhookId] = nil }
        }
    }

    /// How many deliveries are being sent now.
    var total: Int { counts.withLock { $0.total } }
}
