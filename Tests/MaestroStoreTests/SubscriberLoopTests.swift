import MaestroStore
import Testing

/// The one reconnect policy of every subscriber loop.
@Suite("Subscriber loop: one reconnect policy")
struct SubscriberLoopTests {
    struct Lost: Error {}

    @Test("pauses double from 50 ms up to 2 s, and start again at 50 ms once a session got going")
    func pausesDoubleAndReset() {
        var pauses: [Duration] = []
        var sessions = 0
        SubscriberLoop.run(onLost: { _, pause in pauses.append(pause) }) { connected in
            sessions += 1
            if sessions == 8 { connected() }
            if sessions == 10 { return }
            throw Lost()
        }
        #expect(sessions == 10)
        #expect(pauses.map { $0 / .milliseconds(1) } == [50, 100, 200, 400, 800, 1600, 2000, 50, 100])
    }

    @Test("a session that fails while stopping ends the loop without a pause")
    func stopsWhenAsked() {
        var lost = 0
        var sessions = 0
        SubscriberLoop.run(isStopping: { sessions >= 2 }, onLost: { _, _ in lost += 1 }) { _ in
            sessions += 1
            throw Lost()
        }
        #expect(sessions == 2)
        #expect(lost == 1)
    }
}
