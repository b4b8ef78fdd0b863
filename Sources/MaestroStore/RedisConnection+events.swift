import MaestroDomain
import RedisClient

extension RedisConnection {
    /// Reads up to `count` events of a project's stream that come after `afterId` ("0-0" for the beginning), in order.
    public func events(in scope: ProjectScope, after afterId: String = "0-0", count: Int = 1000) throws
        -> [MaestroEvent]
    {
        let reply = try send(RedisCommand("XRANGE", scope.eventStream, "(" + afterId, "+", "COUNT", String(count)))
        return try (reply.array ?? []).map { entry in
            guard let parts = entry.array, parts.count == 2, let id = parts[0].string, let fields = parts[1].array
            else {
                throw StoreError(.unexpectedReply, "malformed stream entry \(entry)")
            }
            var values: [String: String] = [:]
            for index in stride(from: 0, to: fields.count - 1, by: 2) {
                if let name = fields[index].string { values[name] = fields[index + 1].string }
            }
            guard let typeName = values["type"], let type = EventType(rawValue: typeName),
                let payload = values["payload"]
            else { throw StoreError(.unexpectedReply, "stream entry \(id) is not a Maestro event") }
            return MaestroEvent(id: id, type: type, payload: payload)
        }
    }
}
