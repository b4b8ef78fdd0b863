import Foundation
import ProcessTestSupport
import RedisClient

/// A private Redis Cluster for tests: `primaries` primaries with `replicasPerPrimary` replicas each, on free
/// loopback ports, in one temporary directory; every process is stopped (and the directory removed) by `stop()`, when
/// the value goes away, and — through `DeathBoundLauncher` — when the test process dies.
///
/// Redis lets a freshly started primary serve only 2 s after it started (`CLUSTER_WRITABLE_DELAY`), so a cluster is
/// ready about 2 s after `init` begins, a little more with replicas.
public final class RedisTestCluster: @unchecked Sendable {
    // @unchecked: `processes` is only touched under `lock`; everything else is immutable.

    /// One `redis-server` of the cluster.
    public struct Node: Sendable, Hashable, CustomStringConvertible {
        /// The client port on 127.0.0.1.
        public let port: Int
        /// The cluster bus port (`--cluster-port`), chosen free like `port` rather than `port + 10000`.
        public let busPort: Int
        /// Its data directory (nodes.conf, append-only file, log).
        public let directory: URL

        /// Its address.
        public var endpoint: RedisConfiguration.Endpoint { .tcp(host: "127.0.0.1", port: port) }
        /// `redis://127.0.0.1:<port>`.
        public var url: String { "redis://127.0.0.1:\(port)" }
        /// `127.0.0.1:<port>`, as Redis writes node addresses.
        public var description: String { "127.0.0.1:\(port)" }
    }

    /// Every node, primaries first as created (roles change with failovers: ask `primary(forSlot:)`).
    public private(set) var nodes: [Node]  // set once, in init
    /// The directory holding every node's directory.
    public let directory: URL
    /// The password every node requires, if any.
    public let password: String?
    private let launcher = DeathBoundLauncher()
    private let lock = NSLock()
    private var processes: [Int: Process] = [:]

    /// A configuration for the first node: all a client needs to reach the whole cluster.
    public var configuration: RedisConfiguration { configuration(of: nodes[0]) }
    /// The first node's URL.
    public var url: String { nodes[0].url }

    /// A configuration for one node.
    public func configuration(of node: Node) -> RedisConfiguration {
        RedisConfiguration(endpoint: node.endpoint, password: password)
    }

    /// Starts the nodes, joins them into a cluster (`redis-cli --cluster create`), and waits until every node says
    /// `cluster_state:ok`, all agree on the slot map, and every replica is in sync with its primary.
    ///
    /// With a `password`, every node requires it (`requirepass`, and `masterauth` for replicas).
    public init(
        primaries: Int = 3, replicasPerPrimary: Int = 0, password: String? = nil, timeout: Duration = .seconds(30)
    ) throws {
        precondition(primaries >= 3, "redis-cli --cluster create needs at least 3 primaries")
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("maestro-cluster-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.password = password
        nodes = []
        do {
            let server = try RedisExecutable.path("redis-server")
            let deadline = ContinuousClock.now + timeout
            // A port picked free can be taken by another test before redis-server binds it: such a node exits at
            // once, and the whole set starts again on other ports.
            for attempt in 1...5 {
                nodes = try Self.freshNodes(primaries * (1 + replicasPerPrimary), in: directory)
                for node in nodes {
                    let process = try launcher.launch(server, Self.arguments(for: node, password: password))
                    lock.withLock { processes[node.port] = process }
                }
                do {
                    for node in nodes {
                        // The node answering must be ours (its directory): another test's server that took the
                        // port first could answer in its place while ours exits, unable to bind it.
                        try waitUntil(deadline, "\(node) to answer") {
                            guard isRunning(node) else { throw Abort(reason: "redis-server on \(node) exited at start") }
                            let dir = try? admin(node, timeout: .milliseconds(200))
                                .send(RedisCommand("CONFIG", "GET", "dir")).array?.last?.string
                            return dir == node.directory.resolvingSymlinksInPath().path
                        }
                    }
                    break
                } catch where attempt < 5 && nodes.contains(where: { !isRunning($0) }) {
                    killAll()
                }
            }
            try create(replicasPerPrimary: replicasPerPrimary)
            try waitUntilStable(replicasPerPrimary: replicasPerPrimary, timeout: deadline - ContinuousClock.now)
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// Kills every node and removes the directory. Idempotent.
    public func stop() {
        killAll()
        launcher.finish()
        try? FileManager.default.removeItem(at: directory)
    }

    private func killAll() {
        lock.withLock {
            for process in processes.values where process.isRunning {
                Glibc.kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            processes.removeAll()
        }
    }

    /// Nodes on free ports (client and bus port each), with their directories.
    private static func freshNodes(_ count: Int, in directory: URL) throws -> [Node] {
        var ports = Set<Int>()
        var nodes: [Node] = []
        for index in 0..<count {
            var pair: [Int] = []
            while pair.count < 2 {
                let port = try Loopback.freePort()
                if ports.insert(port).inserted { pair.append(port) }
            }
            let node = Node(
                port: pair[0], busPort: pair[1], directory: directory.appendingPathComponent("node-\(index)"))
            try? FileManager.default.removeItem(at: node.directory)
            try FileManager.default.createDirectory(at: node.directory, withIntermediateDirectories: true)
            nodes.append(node)
        }
        return nodes
    }

    /// Kills a node as a crash would (SIGKILL), and waits until it is gone.
    public func kill(_ node: Node) {
        lock.withLock {
            guard let process = processes[node.port], process.isRunning else { return }
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Whether the node's process is running.
    public func isRunning(_ node: Node) -> Bool {
        lock.withLock { processes[node.port]?.isRunning ?? false }
    }

    /// The nodes still running.
    public var liveNodes: [Node] { nodes.filter(isRunning) }

    /// A new connection to one node (it follows redirects like any `RedisConnection`; cluster administration
    /// commands are keyless, so they stay on that node).
    public func admin(_ node: Node, timeout: Duration = .seconds(5)) -> RedisConnection {
        RedisConnection(
            RedisConfiguration(
                endpoint: node.endpoint, password: password, connectTimeout: timeout, commandTimeout: timeout))
    }

    /// The node's cluster id (`CLUSTER MYID`).
    public func nodeID(_ node: Node) throws -> String {
        try admin(node).send(RedisCommand("CLUSTER", "MYID")).string ?? ""
    }

    /// Waits until every live node says `cluster_state:ok` and all report the same full slot map served by live
    /// primaries, each slot range with at least `replicasPerPrimary` replicas in sync.
    public func waitUntilStable(replicasPerPrimary: Int = 0, timeout: Duration = .seconds(15)) throws {
        try waitUntil(ContinuousClock.now + timeout, "the cluster to settle") {
            let live = liveNodes
            var tables: [[SlotRange]] = []
            for node in live {
                let info = try admin(node).send(RedisCommand("CLUSTER", "INFO")).string ?? ""
                guard info.contains("cluster_state:ok") else { return false }
                tables.append(try slotTable(from: node))
            }
            guard let table = tables.first, tables.allSatisfy({ $0 == table }),
                table.reduce(0, { $0 + $1.slots.count }) == HashSlot.count,
                table.allSatisfy({ range in live.contains { $0.port == range.primary } })
            else { return false }
            for range in table {
                guard range.replicas.count >= replicasPerPrimary else { return false }
                for replica in range.replicas.compactMap(node(port:)) where replicasPerPrimary > 0 {
                    let info = try admin(replica).send(RedisCommand("INFO", "replication")).string ?? ""
                    guard info.contains("master_link_status:up") else { return false }
                }
            }
            return true
        }
    }

    /// Waits until a live primary other than `previous` serves `slot` and the cluster is stable again (after
    /// `kill(previous)`), and returns it.
    public func waitForFailover(slot: Int, from previous: Node, timeout: Duration = .seconds(20)) throws -> Node {
        let deadline = ContinuousClock.now + timeout
        try waitUntil(deadline, "a replica to take over slot \(slot) from \(previous)") {
            let primary = try? primary(forSlot: slot)
            return primary.map { $0 != previous && isRunning($0) } ?? false
        }
        try waitUntilStable(timeout: deadline - ContinuousClock.now)
        return try primary(forSlot: slot)
    }

    func node(port: Int) -> Node? { nodes.first { $0.port == port } }

    /// Polls `condition` every 10 ms until it holds; throws when `deadline` passes first. Errors thrown by
    /// `condition` count as "not yet" (nodes refuse connections while they start or fail), except `Abort`.
    func waitUntil(_ deadline: ContinuousClock.Instant, _ what: String, _ condition: () throws -> Bool) throws {
        while true {
            do {
                if try condition() { return }
            } catch let abort as Abort {
                throw failure(abort.reason)
            } catch {}
            guard ContinuousClock.now < deadline else { throw failure("timed out waiting for \(what)") }
            usleep(10_000)
        }
    }

    /// Ends a `waitUntil` at once.
    struct Abort: Error {
        var reason: String
    }

    func failure(_ message: String) -> RedisError {
        RedisError(.connectionFailed, "test cluster: \(message) (logs in \(directory.path))")
    }

    /// Replication is tuned for tests: a replica syncs at once (no diskless-sync delay), and the primary's
    /// pings every second move the replication offset, without which an idle replica stays out of CLUSTER SLOTS
    /// for 10 s.
    private static func arguments(for node: Node, password: String?) -> [String] {
        (password.map { ["--requirepass", $0, "--masterauth", $0] } ?? []) + [
            "--port", String(node.port), "--cluster-port", String(node.busPort), "--bind", "127.0.0.1",
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
            "--appendonly", "yes", "--save", "", "--dir", node.directory.path, "--repl-diskless-sync-delay", "0",
            "--repl-ping-replica-period", "1",
            "--logfile", node.directory.appendingPathComponent("redis.log").path, "--daemonize", "no",
        ]
    }

    /// `redis-cli --cluster create`: slots split evenly, replicas assigned, nodes introduced to each other.
    private func create(replicasPerPrimary: Int) throws {
        try redisCLI(
            ["--cluster", "create"] + nodes.map(\.description)
                + ["--cluster-replicas", String(replicasPerPrimary), "--cluster-yes"])
    }

    /// Runs `redis-cli` with this cluster's password and `arguments`; throws with its output when it fails.
    @discardableResult
    func redisCLI(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = try RedisExecutable.path("redis-cli")
        process.arguments = (password.map { ["-a", $0, "--no-auth-warning"] } ?? []) + arguments
        let output = try ProcessStart.serialized {
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            return output
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw failure(
                "redis-cli \(arguments.prefix(2).joined(separator: " ")) failed "
                    + "(\(process.terminationStatus)):\n\(text)")
        }
        return text
    }
}
