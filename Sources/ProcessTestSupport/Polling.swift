/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
/// For waiting on other processes in tests (never a timing assertion: the timeout only bounds a hang).
/// It sleeps without holding a thread of the cooperative pool, which the servers under test share.
public func pollUntil(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
