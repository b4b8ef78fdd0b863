import CHiredis

#if canImport(Glibc)
    import Glibc
#endif

/// One hiredis socket to one Redis node: opening it (a single attempt), the AUTH/SELECT handshake, appending
/// commands, flushing and reading replies. `RedisConnection` owns one of these per node it talks to and decides
/// retries, routing and redirects; a link only reports what happened on its socket.
///
/// Not thread-safe, except that its socket is listed in a `SocketRegistry` so that `RedisConnection.interrupt()`
/// can shut it down from another thread.
final class NodeLink {
    /// Where this link connects; credentials and timeouts come from `configuration`.
    let endpoint: RedisConfiguration.Endpoint
    private let configuration: RedisConfiguration
    private let sockets: SocketRegistry
    private var context: UnsafeMutablePointer<redisContext>?

    /// Classic subscriptions (channels plus patterns) the server last reported for this socket.
    var classicSubscriptions = 0
    /// Shard channels the server last reported for this socket.
    var shardSubscriptions = 0

    /// Whether the socket is in subscribe mode, where the server pushes messages between replies.
    var isSubscribed: Bool { classicSubscriptions > 0 || shardSubscriptions > 0 }

    init(endpoint: RedisConfiguration.Endpoint, configuration: RedisConfiguration, sockets: SocketRegistry) {
        self.endpoint = endpoint
        self.configuration = configuration
        self.sockets = sockets
    }

    deinit { close() }

    /// Whether a socket is open.
    var isOpen: Bool { context != nil }

    /// The socket's descriptor, for poll(2); nil when closed.
    var descriptor: Int32? { context.map { $0.pointee.fd } }

    /// Opens the socket if it is closed (one attempt, at most `timeout`) and logs in. A refused login throws
    /// `.authentication`; an unreachable node `.connectionFailed`.
    func open(timeout: Duration) throws {
        guard context == nil else { return }
        let opened: UnsafeMutablePointer<redisContext>?
        switch endpoint {
        case .tcp(let host, let port):
            opened = redisConnectWithTimeout(host, Int32(port), Self.timeval(max(timeout, .milliseconds(1))))
        case .unix(let path):
            opened = redisConnectUnixWithTimeout(path, Self.timeval(max(timeout, .milliseconds(1))))
        }
        guard let opened else { throw RedisError(.connectionFailed, "out of memory allocating a connection") }
        if opened.pointee.err != 0 {
            let message = String(cString: chiredis_context_errstr(opened))
            redisFree(opened)
            throw RedisError(.connectionFailed, message)
        }
        // Processes this one starts (agents under `maestro run`) must not inherit the connection.
        _ = fcntl(opened.pointee.fd, F_SETFD, FD_CLOEXEC)
        // TCP keep-alive finds a peer that vanished without closing (long-lived subscriber connections).
        if case .tcp = endpoint { _ = redisEnableKeepAlive(opened) }
        guard redisSetTimeout(opened, Self.timeval(configuration.commandTimeout)) == REDIS_OK else {
            redisFree(opened)
            throw RedisError(.connectionFailed, "cannot set the socket timeout")
        }
        context = opened
        sockets.add(opened.pointee.fd)
        do {
            try handshake()
        } catch {
            close()
            throw error
        }
    }

    /// Queues a command in hiredis' output buffer (nothing is written yet).
    func append(_ command: RedisCommand) throws {
        guard let context else { throw RedisError(.connectionLost, "not connected to Redis at \(endpoint)") }
        let status = command.withArgv { argc, argv, lengths in redisAppendCommandArgv(context, argc, argv, lengths) }
        guard status == REDIS_OK else { throw broken() }
    }

    /// Writes everything queued, so that other nodes can work on their share of a pipeline while this one does.
    /// Call it inside `withBrokenPipeSuppressed`.
    func flush() throws {
        guard let context else { throw RedisError(.connectionLost, "not connected to Redis at \(endpoint)") }
        var done: Int32 = 0
        while done == 0 {
            guard redisBufferWrite(context, &done) == REDIS_OK else { throw broken() }
        }
    }

    /// The next reply: writes what is queued, then blocks up to the command timeout. Call it inside
    /// `withBrokenPipeSuppressed` (it may write).
    func readReply() throws -> RedisReply {
        guard let context else { throw RedisError(.connectionLost, "not connected to Redis at \(endpoint)") }
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw broken() }
        defer { freeReplyObject(raw) }
        return RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self))
    }

    /// A reply hiredis has already read off the socket, without touching the socket; nil when none is complete.
    func bufferedReply() throws -> RedisReply? {
        guard let context else { return nil }
        var raw: UnsafeMutableRawPointer?
        guard redisReaderGetReply(context.pointee.reader, &raw) == REDIS_OK else { throw broken() }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        return RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Closes the socket and forgets its subscriptions (the server drops them with the socket).
    func close() {
        if let context {
            sockets.remove(context.pointee.fd)
            redisFree(context)
        }
        context = nil
        classicSubscriptions = 0
        shardSubscriptions = 0
    }

    /// AUTH and SELECT in one round trip.
    private func handshake() throws {
        var commands: [RedisCommand] = []
        if let password = configuration.password {
            commands.append(RedisCommand("AUTH", configuration.username.map { [$0, password] } ?? [password]))
        }
        if configuration.database != 0 {
            commands.append(RedisCommand("SELECT", String(configuration.database)))
        }
        guard !commands.isEmpty else { return }
        for command in commands { try append(command) }
        try Self.withBrokenPipeSuppressed {
            for _ in commands {
                if case .error(let message) = try readReply() {
                    throw RedisError(.authentication, "Redis at \(endpoint) refused the login: \(message)")
                }
            }
        }
    }

    /// Turns hiredis' context error into a `RedisError` and drops the unusable socket.
    private func broken() -> RedisError {
        let message = context.map { String(cString: chiredis_context_errstr($0)) } ?? "not connected"
        let timedOut = message.contains("temporarily unavailable") || message.contains("timed out")
        close()
        if timedOut {
            return RedisError(.timedOut, "Redis at \(endpoint) did not answer within \(configuration.commandTimeout)")
        }
        return RedisError(.connectionLost, "lost the connection to Redis at \(endpoint): \(message)")
    }

    /// hiredis flushes commands with write(2), which raises SIGPIPE (default action: kill the whole process) when
    /// the server has already reset the socket, e.g. a large command on a connection the server closed.
    /// Blocking SIGPIPE on this thread, and consuming one the write raised, turns that into `.connectionLost`
    /// without changing the process-wide signal disposition (the approach libpq takes).
    static func withBrokenPipeSuppressed<Result>(_ body: () throws -> Result) rethrows -> Result {
        var brokenPipe = sigset_t()
        sigemptyset(&brokenPipe)
        sigaddset(&brokenPipe, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &brokenPipe, &previous)
        defer {
            var pending = sigset_t()
            if sigismember(&previous, SIGPIPE) == 0, sigpending(&pending) == 0, sigismember(&pending, SIGPIPE) == 1 {
                var immediately = timespec()
                _ = sigtimedwait(&brokenPipe, nil, &immediately)
            }
            pthread_sigmask(SIG_SETMASK, &previous, nil)
        }
        return try body()
    }

    static func timeval(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
