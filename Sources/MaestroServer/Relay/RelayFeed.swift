import MaestroDomain
import MaestroStore
import NIOCore
import RedisClient
import ServiceLifecycle

/// Serves one Server-Sent Events client: the events it missed since its last id (from the stream), then the live
/// ones, with no gap and none twice — also for events committed while it was replaying — or `resync` when its id
/// was trimmed away.
///
/// The subscription is opened before the stream is read, and `ResumeCursor` skips every live event at or before
/// the last one sent, so the overlap between the two is delivered once.
struct RelayFeed: Sendable {
    /// Why a feed ended early.
    enum Ending: Error, Sendable {
        case clientTooSlow(limit: Int)
    }

    let relay: EventRelay
    let replay: EventReplay
    let queueLimit: Int

    /// Sends events through `send` until the client or the server goes away (graceful shutdown ends the feed,
    /// so the client gets its close message before the server stops).
    func run(since requested: StreamID?, send: (RelayMessage) async throws -> Void) async throws {
        let subscription = relay.subscribe(projectId: replay.scope.projectId)
        defer {
            subscription.finish()
            relay.remove(subscription)
        }
        try await withGracefulShutdownHandler {
            var cursor = ResumeCursor(queueLimit: queueLimit)
            // Nothing is held during a replay here: the subscription's queue keeps the items meanwhile.
            _ = cursor.caughtUp(to: try await replay.resume(after: requested, send: send))
            for await item in subscription.items {
                var items = [item]
                while !items.isEmpty {
                    switch cursor.receive(items.removeFirst()) {
                    case .send(let events):
                        for relayed in events { try await send(.event(relayed.event)) }
                    case .replay(let after):
                        items += cursor.caughtUp(to: try await replay.resume(after: after, send: send))
                    case .held:
                        break
                    case .keepAlive:
                        try await send(.keepAlive)
                    case .finish:
                        return
                    case .tooSlow:
                        throw tooSlow()
                    }
                }
            }
            if subscription.overflowed { throw tooSlow() }
        } onGracefulShutdown: {
            subscription.finish()
        }
    }

    private func tooSlow() -> Ending {
        relay.droppedTooSlow()
        return .clientTooSlow(limit: queueLimit)
    }
}
