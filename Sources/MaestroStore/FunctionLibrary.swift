import RedisClient

/// The Redis function library every Maestro change goes through (Lua in `Lua/`, embedded at build time).
///
/// Clients pass `version` with every call; the library refuses calls from clients built for another
/// version, so a stale or missing library is always a clear error, never a silent misbehaviour.
public enum FunctionLibrary {
    /// The library's name in Redis (`FUNCTION LIST LIBRARYNAME maestro`).
    public static let name = "maestro"
    /// The version this client speaks; must equal `LIBRARY_VERSION` in `Lua/library.lua`.
    public static let version = "11"

    /// Loads (or replaces) the library in Redis — on every primary of a cluster — and checks it on each.
    /// Idempotent; needs the FUNCTION LOAD permission. Refuses to replace a newer version (an old server
    /// restarting during a rolling upgrade must not take it back).
    public static func install(on connection: RedisConnection) throws {
        let found = try loadedVersion(on: connection)
        if let newest = found?.split(separator: ", ").compactMap({ Int($0) }).max(), newest > Int(version)! {
            throw StoreError(
                .staleLibrary,
                "Redis has function library version \(newest), newer than this program's \(version): upgrade this "
                    + "program instead of loading an older library")
        }
        for (node, reply) in try connection.sendToEveryPrimary(RedisCommand("FUNCTION", "LOAD", "REPLACE", source)) {
            if case .error(let message) = reply {
                throw RedisError(.server, "\(message) (loading the library at \(node))")
            }
        }
        let loaded = try loadedVersion(on: connection)
        guard loaded == version else {
            throw StoreError(.staleLibrary, "loaded the function library but Redis reports version \(loaded ?? "none")")
        }
    }

    /// The version of the library loaded in Redis — on every primary of a cluster: nil when one lacks it, the
    /// versions found (`"4, 5"`) when they differ.
    public static func loadedVersion(on connection: RedisConnection) throws -> String? {
        var versions: Set<String> = []
        for (node, reply) in try connection.sendToEveryPrimary(RedisCommand("FCALL_RO", "maestro_version", "0")) {
            switch reply {
            case .error(let message) where message.contains("Function not found"): return nil
            case .error(let message): throw RedisError(.server, "\(node): \(message)")
            default: versions.insert(reply.string ?? "\(reply)")
            }
        }
        return versions.sorted().joined(separator: ", ")
    }
}
