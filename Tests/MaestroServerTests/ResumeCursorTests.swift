import MaestroDomain
import Testing

@testable import MaestroServer

/// The one resume rule of SSE and WebSocket clients: replay, then live, none twice, no gap.
@Suite("Resume cursor: replay then live")
struct ResumeCursorTests {
    private func event(_ milliseconds: UInt64) -> RelayEvent {
        RelayEvent(WireEvent(id: StreamID(milliseconds: milliseconds, sequence: 0), type: .taskCreated, payload: []))
    }

    private func ids(_ step: ResumeCursor.Step) -> [UInt64]? {
        guard case .send(let events) = step else { return nil }
        return events.map(\.event.id.milliseconds)
    }

    @Test("items during the replay are held, then sent without what the replay already sent")
    func heldThenDeduplicated() {
        var cursor = ResumeCursor(queueLimit: 10)
        #expect(cursor.receive(.events([event(4), event(5)])) == .held)
        #expect(cursor.receive(.keepAlive) == .keepAlive)
        #expect(cursor.receive(.events([event(6)])) == .held)
        let held = cursor.caughtUp(to: StreamID(milliseconds: 5, sequence: 0))
        #expect(held == [.events([event(4), event(5)]), .events([event(6)])])
        #expect(ids(cursor.receive(held[0])) == [])
        #expect(ids(cursor.receive(held[1])) == [6])
        #expect(ids(cursor.receive(.events([event(6), event(7)]))) == [7])
        #expect(cursor.caughtUp(to: StreamID(milliseconds: 9, sequence: 0)).isEmpty, "no replay is under way")
        #expect(ids(cursor.receive(.events([event(8)]))) == [8], "a stray caughtUp moves nothing")
    }

    @Test("a lost subscription replays from the last event sent; a catch-up held during a replay comes after it")
    func catchUpReplaysFromTheLastEvent() {
        var cursor = ResumeCursor(queueLimit: 10)
        _ = cursor.caughtUp(to: StreamID(milliseconds: 1, sequence: 0))
        #expect(ids(cursor.receive(.events([event(2)]))) == [2])
        #expect(cursor.receive(.catchUp) == .replay(after: StreamID(milliseconds: 2, sequence: 0)))
        #expect(cursor.receive(.catchUp) == .held)
        let held = cursor.caughtUp(to: StreamID(milliseconds: 3, sequence: 0))
        #expect(held == [.catchUp])
        #expect(cursor.receive(held[0]) == .replay(after: StreamID(milliseconds: 3, sequence: 0)))
    }

    @Test("more events than the limit held during a replay: too slow; finish ends the feed in any phase")
    func limitsAndFinish() {
        var cursor = ResumeCursor(queueLimit: 2)
        #expect(cursor.receive(.events([event(1), event(2)])) == .held)
        #expect(cursor.receive(.events([event(3)])) == .tooSlow)
        #expect(cursor.receive(.finish) == .finish)
        _ = cursor.caughtUp(to: StreamID(milliseconds: 0, sequence: 0))
        #expect(cursor.receive(.finish) == .finish)
    }
}
