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
        let end = try await end()
        guard let requested, requested != end else { return end }
        guard try await canResume(after: requested) else {
            try await send(.resync(reason: "events after \(requested) are no longer kept; load a fresh snapshot"))
            return try await self.end()
        }
        var last = requested
        while true {
            let page = try await page(after: last)
            for message in page {
                try await send(message)
                if case .event(let eventId, _) = message { last = eventId }
            }
            if page.count < Self.pageSize { return last }
        }
    }

    /// The id of the newest event in the stream ("0-0" when it has none).
    func end() async throws -> StreamID {
        let reply = try await send(RedisCommand("XREVRANGE", scope.eventStream, "+", "-", "COUNT", "1"))
        guard let first = reply.array?.first?.array?.first?.string else { return .zero }
        return StreamID(first) ?? .zero
    }

    /// Whether every event after `id` is still in the stream (none was trimmed away, and `id` is not from the
    /// future, as after a data reset).
    func canResume(after id: StreamID) async throws -> Bool {
        let reply = try await send(RedisCommand("XINFO", "STREAM", scope.eventStream))
        guard let fields = reply.array else { return id == .zero }  // no stream yet: nothing was ever trimmed
        var info: [String: RedisReply] = [:]
        for index in stride(from: 0, to: fields.count - 1, by: 2) {
            if let name = fields[index].string { info[name] = fields[index + 1] }
        }
        let lastGenerated = info["last-generated-id"]?.string.flatMap(StreamID.init) ?? .zero
        guard id <= lastGenerated else { return false }
        // Entries only ever leave from the head (MAXLEN trimming; the library never XDELs). If some left, every
        // id before the first kept entry may be gone; at or after it, nothing is missing.
        let trimmed = (info["entries-added"]?.integer ?? 0) > (info["length"]?.integer ?? 0)
        guard trimmed else { return true }
        let first = info["first-entry"]?.array?.first?.string.flatMap(StreamID.init) ?? lastGenerated
        return id >= first
    }

    /// Up to `pageSize` events after `id`, in order, as relay messages.
    func page(after id: StreamID) async throws -> [RelayMessage] {
        let reply = try await send(
            RedisCommand("XRANGE", scope.eventStream, "(\(id)", "+", "COUNT", String(Self.pageSize)))
        return (reply.array ?? []).compactMap { entry in
            guard let parts = entry.array, parts.count == 2, let idText = parts[0].string,
                let eventId = StreamID(idText), let fields = parts[1].array
            else { return nil }
            var values: [String: String] = [:]
            for index in stride(from: 0, to: fields.count - 1, by: 2) {
                if let name = fields[index].string { values[name] = fields[index + 1].string }
            }
            guard let type = values["type"], let payload = values["payload"] else { return nil }
            let json = #"{"id":"\#(idText)","type":\#(JSONText.quote(type)),"payload":\#(payload)}"#
            return .event(id: eventId, json: json)
        }
    }

    private func send(_ command: RedisCommand) async throws -> RedisReply {
        let reply = try await pool.send([command])[0]
        if case .error(let message) = reply {
            if message.contains("no such key") { return .null }
            throw RedisError(.server, message)
        }
        return reply
    }
}
