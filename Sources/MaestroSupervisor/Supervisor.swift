import MaestroDomain
import MaestroStore
import RedisClient

#if canImport(Glibc)
    import Glibc
#endif

/// Runs one agent command as a Maestro session (spec §4.3): reports it active once it runs and stopped or
/// failed when it ends, renews the session's lease, forwards SIGINT and SIGTERM, and follows the session's
/// status when a user stops or restarts it. Everything happens on one thread, in `run()`'s loop, which
/// waits on a `WakeupPipe` for signals, control wake-ups and the next heartbeat.
public final class Supervisor {
    public struct Settings {
        var command: [String]
        var leaseSeconds: Int
        /// How long a stopped agent has between SIGTERM and SIGKILL.
        var stopGrace: Duration
        /// The agent's environment (the session context already in it).
        var environment: [String: String]
        /// This process's exit status when the session is taken away from it (lost lease, another supervisor).
        var exitStatusWhenRefused: Int32
        /// Where the supervisor's lines go (prefixed "maestro run: " on stderr by the CLI).
        var say: @Sendable (String) -> Void

        public init(
            command: [String], leaseSeconds: Int, stopGrace: Duration, environment: [String: String],
            exitStatusWhenRefused: Int32, say: @escaping @Sendable (String) -> Void
        ) {
            self.command = command
            self.leaseSeconds = leaseSeconds
            self.stopGrace = stopGrace
            self.environment = environment
            self.exitStatusWhenRefused = exitStatusWhenRefused
            self.say = say
        }
    }

    private let connection: RedisConnection
    private let scope: ProjectScope
    private let identity: SupervisorIdentity
    private let settings: Settings
    private let wakeup: WakeupPipe
    private let clock = ContinuousClock()

    private var agent: AgentProcess?
    /// Whether the agent is being stopped because a user stopped the session.
    private var stoppingForUser = false
    /// When to send SIGKILL to an agent that did not leave on SIGTERM.
    private var killDeadline: ContinuousClock.Instant?
    /// The signal that asked this process to end, once one did.
    private var terminatingSignal: Int32?
    private var nextHeartbeat: ContinuousClock.Instant
    private var redisUnreachable = false

    public init(
        connection: RedisConnection, scope: ProjectScope, identity: SupervisorIdentity, settings: Settings,
        wakeup: WakeupPipe
    ) {
        self.connection = connection
        self.scope = scope
        self.identity = identity
        self.settings = settings
        self.wakeup = wakeup
        self.nextHeartbeat = clock.now
    }

    private var heartbeatInterval: Duration { .milliseconds(settings.leaseSeconds * 1000 / 3) }
    private var sessionId: String { identity.session.sessionId }

    /// Starts the agent and supervises it until it ends; returns the exit code for this process: the agent's,
    /// 127 when it could not start, `exitStatusWhenRefused` when the session was taken away from this supervisor.
    public func run() -> Int32 {
        if let code = startAgent() { return code }
        while true {
            let deadline = [nextHeartbeat, killDeadline].compactMap { $0 }.min()!
            var mustCheck = false
            for event in wakeup.wait(timeout: max(.zero, deadline - clock.now)) {
                switch event {
                case .control: mustCheck = true
                case .signal(SIGCHLD): break
                case .signal(let number): if let code = terminate(signal: number) { return code }
                }
            }
            if let exit = agent?.reap(), let code = agentEnded(exit) { return code }
            if let killDeadline, clock.now >= killDeadline {
                agent?.signal(SIGKILL)
                self.killDeadline = nil
            }
            if mustCheck || clock.now >= nextHeartbeat {
                switch heartbeat() {
                case .lost(let reason):
                    return giveUp(reason)
                case .status(let status):
                    if let code = follow(status) { return code }
                case .unknown:
                    break
                }
            }
        }
    }

    // MARK: - The agent process

    /// Starts the agent and reports the session active; the exit code when it cannot start.
    private func startAgent() -> Int32? {
        do {
            let started = try AgentProcess.start(settings.command, environment: settings.environment)
            agent = started
            say("session \(sessionId): started \(settings.command[0]) (pid \(started.pid))")
            report(.active, pid: started.pid)
            return nil
        } catch {
            say("session \(sessionId): \(error.message)")
            report(.failed, error: error.message)
            release()
            return 127
        }
    }

    /// The agent ended: reports it and returns this process's exit code, or nil to wait for a restart
    /// (the agent was stopped by a user).
    private func agentEnded(_ exit: AgentProcess.Exit) -> Int32? {
        agent = nil
        killDeadline = nil
        if stoppingForUser {
            stoppingForUser = false
            say("session \(sessionId): stopped by a user (\(exit.description)); waiting for a restart")
            if terminatingSignal != nil {
                release()
                return 0
            }
            return nil
        }
        let normal: Bool
        switch exit {
        case .exited(let code): normal = code == 0 || (terminatingSignal.map { code == 128 + $0 } ?? false)
        case .signalled(let number): normal = number == terminatingSignal
        }
        say("session \(sessionId): \(settings.command[0]) \(exit.description)")
        if normal { report(.stopped) } else { report(.failed, error: exit.description) }
        release()
        return exit.code
    }

    /// This process was asked to end: passes the signal on, or ends at once when no agent runs.
    private func terminate(signal number: Int32) -> Int32? {
        terminatingSignal = number
        guard let agent else {
            release()
            return 0
        }
        agent.signal(number)
        return nil
    }

    /// Does what the session's status says: stop the agent (a user stopped the session), or start it again
    /// (a user restarted it).
    private func follow(_ status: SessionLifecycle) -> Int32? {
        switch status {
        case .stopped, .failed:
            guard let agent, !stoppingForUser else { return nil }
            stoppingForUser = true
            say("session \(sessionId): \(status.rawValue) by a user; stopping \(settings.command[0]) (SIGTERM)")
            agent.signal(SIGTERM)
            killDeadline = clock.now + settings.stopGrace
        case .spawning:
            guard agent == nil else { return nil }
            say("session \(sessionId): restarted by a user")
            return startAgent()
        case .active:
            break
        }
        return nil
    }

    /// The session is no longer this supervisor's: stops the agent and says why.
    private func giveUp(_ reason: String) -> Int32 {
        say("session \(sessionId): \(reason)")
        if let agent {
            agent.signal(SIGTERM)
            let deadline = clock.now + settings.stopGrace
            while agent.reap() == nil {
                if clock.now >= deadline { agent.signal(SIGKILL) }
                usleep(100_000)
            }
        }
        return settings.exitStatusWhenRefused
    }

    // MARK: - Redis

    private enum HeartbeatResult {
        case status(SessionLifecycle)
        case lost(String)
        case unknown
    }

    private func heartbeat() -> HeartbeatResult {
        nextHeartbeat = clock.now + heartbeatInterval
        do {
            let session = try connection.run(
                Heartbeat(scope: scope, supervisor: identity, leaseSeconds: settings.leaseSeconds))
            if redisUnreachable {
                redisUnreachable = false
                say("session \(sessionId): Redis reachable again")
            }
            return .status(session.status)
        } catch let error as MaestroError {
            return .lost(error.message)
        } catch {
            if !redisUnreachable {
                redisUnreachable = true
                say("session \(sessionId): cannot renew the lease (\(error)); the agent keeps running, retrying")
            }
            return .unknown
        }
    }

    /// Records a lifecycle change, retrying (with one idempotency key) while Redis cannot be reached, for up to
    /// one lease; a refusal (a user stopped the session meanwhile) is reported and left.
    private func report(_ target: SessionLifecycle, error: String? = nil, pid: pid_t? = nil) {
        let operation = ReportLifecycle(
            scope: scope, supervisor: identity, target: target, error: error, pid: pid,
            idempotencyKey: RandomIdentifier.make(prefix: "run"))
        retryingWhileUnreachable("record \(target.rawValue)") { _ = try connection.run(operation) }
    }

    private func release() {
        retryingWhileUnreachable("release the lease") {
            try connection.run(ReleaseSession(scope: scope, supervisor: identity))
        }
    }

    private func retryingWhileUnreachable(_ what: String, _ body: () throws -> Void) {
        let giveUpAt = clock.now + .seconds(settings.leaseSeconds)
        while true {
            do {
                return try body()
            } catch let error as RedisError where [.connectionFailed, .connectionLost, .timedOut].contains(error.code) {
                guard clock.now < giveUpAt else {
                    return say("session \(sessionId): could not \(what): \(error.message)")
                }
                usleep(200_000)
            } catch {
                return say("session \(sessionId): could not \(what): \(error)")
            }
        }
    }

    private func say(_ line: String) { settings.say(line) }
}
