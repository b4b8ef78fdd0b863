import MaestroDomain
import RedisClient

/// The set of projects that have data, `mae:projects`: what the server's sweeps (archive, stale work) visit and what
/// `GET /api/projects` lists. Outside every project's slot, so the functions cannot write it: whoever creates a
/// task or spawns a session through the store adds the project first (`RegisterProject`), and a server seeds the set
/// from the keys it finds when it has never been written (data from before it existed).
public enum ProjectRegistry {
    /// The set's key.
    public static let key = "mae:projects"

    /// Fills the registry from the project keys on every primary, when it does not exist yet. `KEYS` walks the whole
    /// keyspace once; afterwards the set is kept up by its writers.
    public static func seedIfMissing(on connection: RedisConnection) throws {
        guard try connection.send(RedisCommand("EXISTS", key)).integer == 0 else { return }
        var projects: Set<String> = []
        for pattern in ["mae:{*}:tasks/*", "mae:{*}:sessions", "mae:{*}:archive", "mae:{*}:project"] {
            for (_, reply) in try connection.sendToEveryPrimary(RedisCommand("KEYS", pattern)) {
                for case .bulk(let bytes) in reply.array ?? [] {
                    let name = String(decoding: bytes, as: UTF8.self)
                    guard let open = name.firstIndex(of: "{"), let close = name.firstIndex(of: "}"), open < close
                    else { continue }
                    let projectId = String(name[name.index(after: open)..<close])
                    if Validation.isIdentifier(projectId) { projects.insert(projectId) }
                }
            }
        }
        guard !projects.isEmpty else { return }
        _ = try connection.send(RedisCommand(arguments: (["SADD", key] + projects.sorted()).map { Array($0.utf8) }))
    }
}

/// Adds a project to the registry (idempotent).
public struct RegisterProject: StoreCommand {
    public var scope: ProjectScope

    public init(scope: ProjectScope) { self.scope = scope }

    public var command: RedisCommand { RedisCommand("SADD", ProjectRegistry.key, scope.projectId) }

    public func decode(_ reply: RedisReply) throws {
        if case .error(let message) = reply { throw RedisError(.server, message) }
    }
}

/// The registered projects, sorted.
public struct RegisteredProjects: StoreCommand {
    public init() {}

    public var command: RedisCommand { RedisCommand("SMEMBERS", ProjectRegistry.key) }

    public func decode(_ reply: RedisReply) throws -> [String] {
        if case .error(let message) = reply { throw RedisError(.server, message) }
        return (reply.array ?? []).compactMap(\.string).filter(Validation.isIdentifier).sorted()
    }
}
