import MaestroStore
import RedisClient
import ServiceLifecycle

/// Serves one client: the events it missed since its last id (from the stream), then the live ones, with no gap
/// and none twice — also for events committed while it was replaying — or `resync` when its id was trimmed away.
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
        defer { relay.unsubscribe(subscription) }
        try await withGracefulShutdownHandler {
            try await feed(subscription, since: requested, send: send)
        } onGracefulShutdown: {
            subscription.finish()
        }
    }

    private func feed(
        _ subscription: RelaySubscription, since requested: StreamID?, send: (RelayMessage) async throws -> Void
    ) async throws {
        var last = try await replay.end()
        if let requested, requested != last { last = try await catchUp(from: requested, send: send) }
        for await item in subscription.items {
            switch item {
            case .event(let id, let json):
                guard id > last else { continue }
                try await send(.event(id: id, json: json))
                last = id
            case .catchUp:
                last = try await catchUp(from: last, send: send)
            case .keepAlive:
                try await send(.keepAlive)
            }
        }
        if subscription.overflowed { throw Ending.clientTooSlow(limit: queueLimit) }
    }

    /// Sends every event after `id` from the stream and returns the last id sent; a trimmed `id` gets `resync`
    /// and continues from the stream's end.
    private func catchUp(from id: StreamID, send: (RelayMessage) async throws -> Void) async throws
        -> StreamID
    {
        guard try await replay.canResume(after: id) else {
            try await send(.resync(reason: "events after \(id) are no longer kept; load a fresh snapshot"))
            return try await replay.end()
        }
        var last = id
        while true {
            let page = try await replay.page(after: last)
            for message in page {
                try await send(message)
                if case .event(let eventId, _) = message { last = eventId }
            }
            if page.count < EventReplay.pageSize { return last }
        }
    }
}
