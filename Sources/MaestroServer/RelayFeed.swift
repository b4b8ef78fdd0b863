import MaestroDomain
import MaestroStore
import NIOCore
import RedisClient
import ServiceLifecycle

/// Serves one Server-Sent Events client: the events it missed since its last id (from the stream), then the live
/// ones, with no gap and none twice — also for events committed while it was replaying — or `resync` when its id
/// was trimmed away.
///
/// The subscription is opened before the stream is read; every live event at or before the last one sent is
/// skipped, so the overlap between the two is delivered once.
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
            var last = try await replay.resume(after: requested, send: send)
            for await item in subscription.items {
                switch item {
                case .events(let batch):
                    for relayed in batch where relayed.event.id > last {
                        try await send(.event(relayed.event))
                        last = relayed.event.id
                    }
                case .catchUp:
                    last = try await replay.resume(after: last, send: send)
                case .keepAlive:
                    try await send(.keepAlive)
                case .finish:
                    return
                }
            }
            if subscription.overflowed { throw Ending.clientTooSlow(limit: queueLimit) }
        } onGracefulShutdown: {
            subscription.finish()
        }
    }
}
