/// What one `maestro-server` process serves. Any number of processes of any role can share one Redis.
public enum ServerRole: String, Sendable, CaseIterable {
    /// Everything: the API, the dashboard, the live streams and the lease sweeper (the single-process default).
    case all
    /// The HTTP API, the dashboard and the lease sweeper; no live streams.
    case api
    /// The live streams (`/ws`, `/events`) only: needs no write access to Redis (the `maestro-relay` ACL user).
    case relay

    /// Whether the API routes, the dashboard and the lease sweeper run here.
    public var servesAPI: Bool { self != .relay }
    /// Whether `/ws`, `/events` and the relay's Redis subscriber run here.
    public var servesStreams: Bool { self != .api }
}
