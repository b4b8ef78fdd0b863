import CHiredis

#if canImport(Glibc)
    import Glibc
#endif

/// One blocking connection to Redis over hiredis.
///
/// Every call blocks the calling thread: use it from a thread of your own (the CLI's main thread, or a
/// `RedisConnectionPool` worker), never from Swift's cooperative thread pool. Not thread-safe.
///
/// The connection is opened lazily and re-opened after it breaks, retrying with bounded exponential
/// backoff until `connectTimeout` has passed. A command that was in flight when the connection broke
/// is never resent here: the caller decides whether a retry is safe (see idempotency keys in the store).
public final class RedisConnection {
    /// Where and how this connection connects.
    public let configuration: RedisConfiguration
    private var context: UnsafeMutablePointer<redisContext>?

    /// Creates a connection; nothing is opened until the first command (or `connect()`).
    public init(_ configuration: RedisConfiguration) {
        self.configuration = configuration
    }

    deinit { close() }

    /// Whether a socket is currently open.
    public var isConnected: Bool { context != nil }

    /// Opens the connection now if it is not open, retrying with backoff within the connect timeout.
    public func connect() throws {
        guard context == nil else { return }
        let deadline = ContinuousClock.now + configuration.connectTimeout
        var backoff = Duration.milliseconds(20)
        while true {
            let remaining = deadline - ContinuousClock.now
            do {
                let opened = try openContext(timeout: max(remaining, .milliseconds(1)))
                context = opened
                // Processes this one starts (agents under `maestro run`) must not inherit the connection.
                _ = fcntl(opened.pointee.fd, F_SETFD, FD_CLOEXEC)
                try handshake()
                return
            } catch let error as RedisError where error.code == .connectionFailed {
                close()
                let now = ContinuousClock.now
                guard now + backoff < deadline else {
                    throw RedisError(
                        .connectionFailed,
                        "cannot reach Redis at \(configuration.endpoint) within \(configuration.connectTimeout): "
                            + error.message,
                        underlying: error)
                }
                sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(1))
            } catch {
                close()
                throw error
            }
        }
    }

    /// Sends one command and returns its reply; an error reply is thrown as `RedisError` with code `.server`.
    public func send(_ command: RedisCommand) throws -> RedisReply {
        let reply = try pipeline([command])[0]
        if case .error(let message) = reply { throw RedisError(.server, message) }
        return reply
    }

    /// Sends all commands in one write and reads their replies in order; error replies stay in place as `.error`.
    public func pipeline(_ commands: [RedisCommand]) throws -> [RedisReply] {
        try connect()
        guard let context else { throw RedisError(.connectionLost, "not connected") }
        for command in commands {
            let status = command.withArgv { argc, argv, lengths in redisAppendCommandArgv(context, argc, argv, lengths)
            }
            guard status == REDIS_OK else { throw brokenConnection() }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        try withBrokenPipeSuppressed {
            for _ in commands {
                var raw: UnsafeMutableRawPointer?
                guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw brokenConnection() }
                replies.append(RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self)))
                freeReplyObject(raw)
            }
        }
        return replies
    }

    /// Waits for the next reply the server pushes without a request (pub/sub messages after SUBSCRIBE).
    ///
    /// Blocks up to the command timeout (a zero `commandTimeout` waits for ever); `interrupt()` from another
    /// thread ends the wait with `.connectionLost`.
    public func receive() throws -> RedisReply {
        try connect()
        guard let context else { throw RedisError(.connectionLost, "not connected") }
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw brokenConnection() }
        defer { freeReplyObject(raw) }
        return RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self))
    }

    /// `receive()` that gives up after `timeout`, returning nil, with the connection still usable (a read timeout
    /// inside hiredis would break it): waits for the socket with poll(2) unless a reply is already buffered.
    public func receive(timeout: Duration) throws -> RedisReply? {
        try connect()
        guard let context else { throw RedisError(.connectionLost, "not connected") }
        var raw: UnsafeMutableRawPointer?
        if redisReaderGetReply(context.pointee.reader, &raw) == REDIS_OK, let raw {
            defer { freeReplyObject(raw) }
            return RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self))
        }
        let milliseconds = Int32(
            clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, max(0, milliseconds)) > 0 else { return nil }
        return try receive()
    }

    /// Shuts the socket down so that a thread blocked in `receive()` returns; safe to call from another thread.
    public func interrupt() {
        if let descriptor = context?.pointee.fd, descriptor >= 0 { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    /// Closes the socket; the next command opens a new one.
    public func close() {
        if let context { redisFree(context) }
        context = nil
    }

    private func openContext(timeout: Duration) throws -> UnsafeMutablePointer<redisContext> {
        let opened: UnsafeMutablePointer<redisContext>?
        switch configuration.endpoint {
        case .tcp(let host, let port):
            opened = redisConnectWithTimeout(host, Int32(port), timeval(timeout))
        case .unix(let path):
            opened = redisConnectUnixWithTimeout(path, timeval(timeout))
        }
        guard let opened else { throw RedisError(.connectionFailed, "out of memory allocating a connection") }
        if opened.pointee.err != 0 {
            let message = String(cString: chiredis_context_errstr(opened))
            redisFree(opened)
            throw RedisError(.connectionFailed, message)
        }
        // TCP keep-alive finds a peer that vanished without closing (long-lived subscriber connections).
        if case .tcp = configuration.endpoint { _ = redisEnableKeepAlive(opened) }
        guard redisSetTimeout(opened, timeval(configuration.commandTimeout)) == REDIS_OK else {
            redisFree(opened)
            throw RedisError(.connectionFailed, "cannot set the socket timeout")
        }
        return opened
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
        for reply in try pipeline(commands) {
            if case .error(let message) = reply {
                throw RedisError(.authentication, "Redis at \(configuration.endpoint) refused the login: \(message)")
            }
        }
    }

    /// Turns hiredis' context error into a `RedisError` and drops the unusable socket.
    private func brokenConnection() -> RedisError {
        let message = context.map { String(cString: chiredis_context_errstr($0)) } ?? "not connected"
        let timedOut = message.contains("temporarily unavailable") || message.contains("timed out")
        close()
        if timedOut {
            return RedisError(
                .timedOut, "Redis at \(configuration.endpoint) did not answer within \(configuration.commandTimeout)")
        }
        return RedisError(.connectionLost, "lost the connection to Redis at \(configuration.endpoint): \(message)")
    }

    /// hiredis flushes commands with write(2), which raises SIGPIPE (default action: kill the whole process) when
    /// the server has already reset the socket, e.g. a large command on a connection the server closed.
    /// Blocking SIGPIPE on this thread, and consuming one the write raised, turns that into `.connectionLost`
    /// without changing the process-wide signal disposition (the approach libpq takes).
    private func withBrokenPipeSuppressed<Result>(_ body: () throws -> Result) rethrows -> Result {
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

    private func timeval(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }

    private func sleep(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
