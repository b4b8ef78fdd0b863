/// The time a cluster call may spend waiting for a slot to become servable again, with exponential backoff.
/// The clock starts at the first wait, so a healthy call pays nothing.
struct RetryBudget {
    /// The total time waits may take.
    let limit: Duration
    private var deadline: ContinuousClock.Instant?
    private var backoff = Duration.milliseconds(10)

    init(limit: Duration) { self.limit = limit }

    /// What is left (all of it before the first wait).
    var remaining: Duration {
        guard let deadline else { return limit }
        return max(deadline - .now, .milliseconds(1))
    }

    /// Sleeps before the next attempt, or throws when the budget is spent; `problem` says why the call waits.
    mutating func wait(because problem: RedisReply) throws {
        let now = ContinuousClock.now
        let deadline = self.deadline ?? now + limit
        self.deadline = deadline
        guard now + backoff <= deadline else {
            throw RedisError(
                .connectionFailed,
                "Redis Cluster could not serve the command within \(limit): \(problem.errorMessage)")
        }
        RedisConnection.sleep(for: backoff)
        backoff = min(backoff * 2, .milliseconds(100))
    }
}
