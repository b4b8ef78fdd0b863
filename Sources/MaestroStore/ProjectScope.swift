import MaestroDomain

/// One project's place in Redis: its key prefix with the project's Redis Cluster hash tag, and its settings.
///
/// Every key of a project is `mae:{<projectId>}:…`, so every function call touches one cluster slot.
/// Project ids are validated ids, so they can never contain `{` or `}`. See `Lua/records.lua` for the layout.
public struct ProjectScope: Sendable, Equatable {
    /// The project used when none is given.
    public static let defaultProjectId = "default"
    /// The event stream's approximate length cap when none is configured.
    public static let defaultStreamMaxLength = 100_000
    /// The largest cap the function library accepts (2^53, the largest integer Lua's numbers hold exactly).
    public static let maximumStreamMaxLength = 1 << 53

    /// The project's id.
    public let projectId: String
    /// The approximate number of events the project's stream keeps (0 keeps all).
    public let streamMaxLength: Int

    /// Creates a scope; refuses an invalid project id.
    public init(projectId: String = defaultProjectId, streamMaxLength: Int = defaultStreamMaxLength)
        throws(MaestroError)
    {
        try Validation.identifier(projectId, "project id")
        guard (0...Self.maximumStreamMaxLength).contains(streamMaxLength) else {
            throw MaestroError(.invalidInput, "the stream length cap must be a whole number from 0 to 2^53")
        }
        self.projectId = projectId
        self.streamMaxLength = streamMaxLength
    }

    /// The prefix of every key of the project.
    public var keyPrefix: String { "mae:{\(projectId)}:" }
    /// The project's event stream (XADD/XRANGE), the key every function call declares.
    public var eventStream: String { keyPrefix + "events" }
    /// The sharded pub/sub channel (SPUBLISH/SSUBSCRIBE) that carries the project's events live.
    public var liveChannel: String { Self.liveChannel(of: projectId) }

    /// The live channel of `projectId` (for an id already validated, as a relay's client's).
    public static func liveChannel(of projectId: String) -> String { "mae:{\(projectId)}:live" }

    /// The project whose live channel `channel` is, if it is one.
    public static func projectId(ofLiveChannel channel: String) -> String? {
        guard channel.hasPrefix("mae:{"), channel.hasSuffix("}:live") else { return nil }
        let projectId = channel.dropFirst("mae:{".count).dropLast("}:live".count)
        return projectId.isEmpty ? nil : String(projectId)
    }
}
