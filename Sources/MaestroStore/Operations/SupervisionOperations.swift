import MaestroDomain
import RedisClient

/// The identity of one `maestro run` supervisor holding a session: the session's credentials plus a random id
/// drawn per process, so a supervisor that was declared lost, or replaced, cannot carry on unnoticed.
public struct SupervisorIdentity: Sendable, Equatable {
    public var session: SessionCredentials
    public var supervisorId: String

    public init(session: SessionCredentials, supervisorId: String) {
        self.session = session
        self.supervisorId = supervisorId
    }

    var arguments: [String] { [session.sessionId, session.token, supervisorId] }
}

/// Takes over a `spawning` session (freshly spawned, or restarted) and starts its lease.
/// Refused while another supervisor holds a live lease on it.
public struct ClaimSession: StoreOperation {
    public var scope: ProjectScope
    public var supervisor: SupervisorIdentity
    /// Seconds the lease lasts without a heartbeat.
    public var leaseSeconds: Int
    public var host: String?

    public init(scope: ProjectScope, supervisor: SupervisorIdentity, leaseSeconds: Int, host: String?) {
        self.scope = scope
        self.supervisor = supervisor
        self.leaseSeconds = leaseSeconds
        self.host = host
    }

    public var function: String { "claim_session" }
    public var arguments: [String] { supervisor.arguments + [String(leaseSeconds), host ?? ""] }
    public func decode(_ reply: RedisReply) throws -> SessionRecord {
        try StoreReply.decode(SessionRecord.self, from: reply)
    }
}

/// Renews a supervisor's lease. The session it returns says what its agent process should be doing:
/// `stopped` (a user stopped it) or `spawning` (a user restarted it).
public struct Heartbeat: StoreOperation {
    public var scope: ProjectScope
    public var supervisor: SupervisorIdentity
    public var leaseSeconds: Int

    public init(scope: ProjectScope, supervisor: SupervisorIdentity, leaseSeconds: Int) {
        self.scope = scope
        self.supervisor = supervisor
        self.leaseSeconds = leaseSeconds
    }

    public var function: String { "heartbeat" }
    public var arguments: [String] { supervisor.arguments + [String(leaseSeconds)] }
    public func decode(_ reply: RedisReply) throws -> SessionRecord {
        try StoreReply.decode(SessionRecord.self, from: reply)
    }
}

/// A supervisor's report on its agent process: `active` once it runs (with its pid), `stopped` when it exited
/// normally, `failed` with the reason otherwise. Checked against the lifecycle machine; emits the event.
public struct ReportLifecycle: StoreOperation {
    public var scope: ProjectScope
    public var supervisor: SupervisorIdentity
    public var target: SessionLifecycle
    public var error: String?
    public var pid: Int32?
    public var idempotencyKey: String?

    public init(
        scope: ProjectScope, supervisor: SupervisorIdentity, target: SessionLifecycle, error: String? = nil,
        pid: Int32? = nil, idempotencyKey: String?
    ) {
        self.scope = scope
        self.supervisor = supervisor
        self.target = target
        self.error = error
        self.pid = pid
        self.idempotencyKey = idempotencyKey
    }

    public var function: String { "report_lifecycle" }
    public var arguments: [String] {
        supervisor.arguments + [target.rawValue, error ?? "", pid.map { String($0) } ?? ""]
    }
    public func decode(_ reply: RedisReply) throws -> SessionChange {
        try StoreReply.decode(SessionChange.self, from: reply)
    }
}

/// A supervisor lets go of its session as it exits: the lease ends, the session stays as it is.
public struct ReleaseSession: StoreOperation {
    public var scope: ProjectScope
    public var supervisor: SupervisorIdentity

    public init(scope: ProjectScope, supervisor: SupervisorIdentity) {
        self.scope = scope
        self.supervisor = supervisor
    }

    public var function: String { "release_session" }
    public var arguments: [String] { supervisor.arguments }
    public func decode(_ reply: RedisReply) throws {
        guard reply.string == "OK" else { throw StoreError(.unexpectedReply, "unexpected reply \(reply)") }
    }
}

/// Fails every active or spawning session of the project whose lease ran out (error "heartbeat lost",
/// one `session:failed` each) and returns their ids. Atomic: any number of servers may sweep at once.
public struct SweepLeases: StoreOperation {
    public var scope: ProjectScope

    public init(scope: ProjectScope) {
        self.scope = scope
    }

    public var function: String { "sweep_leases" }
    public var arguments: [String] { [] }
    public func decode(_ reply: RedisReply) throws -> [String] {
        try StoreReply.decode([String].self, from: reply)
    }
}

extension ProjectScope {
    /// The pub/sub channel that wakes a session's supervisor when a user stops or restarts the session.
    public func controlChannel(of sessionId: String) -> String { keyPrefix + "session:" + sessionId + "/control" }

    /// The set of projects with supervised sessions, which lease sweepers visit. It lies outside every project's
    /// hash tag on purpose: supervisors add their project to it before they claim a session.
    public static let supervisedProjectsKey = "mae:supervised-projects"
}
