import MaestroDomain
import MaestroStore
import RedisClient

/// Reads a project's missed events from its stream, for clients that resume from an id.
struct EventReplay: Sendable {
    let pool: RedisConnectionPool
    let scope: ProjectScope
    static let pageSize = 500

    /// Sends through `send` every event after `requested` (none when it is nil: the client starts from now) and
    /// returns the id the client is then at; an id trimmed away gets `resync`, and the client continues from the
    /// stream's end.
    func resume(after requested: StreamID?, send: (RelayMessage) async throws -> Void) async throws -> StreamID {
        let end = try await pool.execute(StreamEnd(scope: scope))
        guard let requested, requested != end else { return end }
        guard try await pool.execute(StreamCanResume(scope: scope, from: requested)) else {
            try await send(.resync(reason: "events after \(requested) are no longer kept; load a fresh snapshot"))
            return try await pool.execute(StreamEnd(scope: scope))
        }
        var last = requested
        while true {
            let page = try await pool.execute(EventsAfter(scope: scope, after: last, count: Self.pageSize))
            for event in page.events { try await send(.event(event)) }
            last = page.lastRead ?? last
            if page.entriesRead < Self.pageSize { return last }
        }
    }
}
