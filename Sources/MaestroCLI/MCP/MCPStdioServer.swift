import Dispatch
import MaestroMCP
import RedisClient
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs an `MCPDispatcher` over stdio, as MCP's stdio transport says: one JSON-RPC message per line on stdin and
/// stdout, nothing else on stdout, the end of stdin ends the server. Requests that may block (tool calls, resource
/// reads) run off the reading thread: one at a time in arrival order on one worker thread, except calls that may
/// wait (`get_answer`), which get a thread each — so a long wait holds up neither a `ping` nor the next report,
/// and ends early when cancelled.
final class MCPStdioServer: Sendable {
    /// The longest line accepted; a longer one is answered with a parse error and skipped.
    static let maximumLineBytes = 4 << 20
    /// Requests queued or running at once; more are refused until some finish.
    static let maximumInFlight = 1024
    /// Of those, waiting calls (each holds a thread and a connection while it waits).
    static let maximumWaiting = 16

    private let output = Mutex<Int32>(STDOUT_FILENO)
    /// Each request queued or running, and whether it is a waiting one.
    private let inFlight = Mutex<[JSONRPCID: (flag: CancellationFlag, waits: Bool)]>([:])
    private let ordered = OrderedWorker()

    /// Writes one message; a client that is gone ends the process.
    func send(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        output.withLock { descriptor in
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { exit(0) }
                offset += written
            }
        }
    }

    /// Reads stdin until it ends, then exits.
    func run(_ dispatcher: MCPDispatcher) -> Never {
        signal(SIGPIPE, SIG_IGN)
        var dispatcher = dispatcher
        var splitter = LineSplitter(limit: Self.maximumLineBytes)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var ended = false
        while !ended {
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count > 0 { splitter.append(chunk[..<count]) } else { ended = true }
            while let piece = ended ? splitter.finish() : splitter.next() {
                switch piece {
                case .tooLong:
                    send(JSONRPCLine.error(nil, .parseError("message longer than \(Self.maximumLineBytes) bytes")))
                case .line(let line):
                    handle(line, &dispatcher)
                }
            }
        }
        // Reports already sent are carried out (`printf '…' | maestro mcp` works); a waiting get_answer is not
        // waited for: nobody is left to read its answer.
        ordered.finish()
        exit(0)
    }

    private func handle(_ line: [UInt8], _ dispatcher: inout MCPDispatcher) {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        switch dispatcher.handle(line) {
        case .none: break
        case .reply(let text): send(text)
        case .cancel(let id): inFlight.withLock { $0[id] }?.flag.cancel()
        case .work(let id, let inOrder, let body): start(id, inOrder: inOrder, body)
        }
    }

    private func start(_ id: JSONRPCID, inOrder: Bool, _ body: @escaping @Sendable (CancellationFlag) -> String) {
        let flag = CancellationFlag()
        let refusal = inFlight.withLock { running -> String? in
            guard running.count < Self.maximumInFlight else {
                return "more than \(Self.maximumInFlight) requests in flight"
            }
            guard inOrder || running.values.filter(\.waits).count < Self.maximumWaiting else {
                return "more than \(Self.maximumWaiting) waiting calls at once"
            }
            running[id] = (flag, !inOrder)
            return nil
        }
        if let refusal { return send(JSONRPCLine.error(id, .internalError(refusal))) }
        let job: @Sendable () -> Void = {
            // Work cancelled before it started is not done at all.
            let reply = flag.isCancelled ? nil : body(flag)
            self.inFlight.withLock { running in
                if running[id]?.flag === flag { running[id] = nil }
            }
            // A cancelled request gets no response (MCP: the client has stopped waiting for it).
            if let reply, !flag.isCancelled { self.send(reply) }
        }
        if inOrder { ordered.submit(job) } else { PosixThread.detach(job) }
    }
}

/// Runs jobs one at a time, in the order submitted, on a thread of its own (started by the first job).
private final class OrderedWorker: Sendable {
    /// Returns once every job submitted so far has run.
    func finish() {
        let done = DispatchSemaphore(value: 0)
        submit { done.signal() }
        done.wait()
    }

    private let jobs = Mutex<(queue: [@Sendable () -> Void], started: Bool)>(([], false))
    private let available = DispatchSemaphore(value: 0)

    func submit(_ job: @escaping @Sendable () -> Void) {
        let start = jobs.withLock { jobs in
            jobs.queue.append(job)
            defer { jobs.started = true }
            return !jobs.started
        }
        available.signal()
        guard start else { return }
        PosixThread.detach {
            while true {
                self.available.wait()
                self.jobs.withLock { $0.queue.removeFirst() }()
            }
        }
    }
}
