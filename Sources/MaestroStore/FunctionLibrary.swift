import RedisClient

/// The Redis function library every Maestro change goes through (Lua in `Lua/`, embedded at build time).
///
/// Clients pass `version` with every call; the library refuses calls from clients built for another
/// version, so a stale or missing library is always a clear error, never a silent misbehaviour.
public enum FunctionLibrary {
    /// The library's name in Redis (`FUNCTION LIST LIBRARYNAME maestro`).
    public static let name = "maestro"
    /// The version this client speaks; must equal `LIBRARY_VERSION` in `Lua/library.lua`.
    public static let version = "5"

    /// Loads (or replaces) the library in Redis. Idempotent; needs the `@scripting` FUNCTION permission. Refuses to
    /// replace a newer version (an old server restarting during a rolling upgrade must not take it back).
    public static func install(on connection: RedisConnection) throws {
        if let loaded = try loadedVersion(on: connection), let number = Int(loaded), number > Int(version)! {
            throw StoreError(
                .staleLibrary,
                "Redis has function library version \(loaded), newer than this program's \(version): upgrade this "
                    + "program instead of loading an older library")
        }
        _ = try connection.send(RedisCommand("FUNCTION", "LOAD", "REPLACE", source))
        let loaded = try loadedVersion(on: connection)
        guard loaded == version else {
            throw StoreError(.staleLibrary, "loaded the function library but Redis reports version \(loaded ?? "none")")
        }
    }

    /// The version of the library loaded in Redis, or nil when it is not loaded.
    public static func loadedVersion(on connection: RedisConnection) throws -> String? {
        do {
            return try connection.send(RedisCommand("FCALL_RO", "maestro_version", "0")).string
        } catch let error as RedisError where error.code == .server && error.message.contains("Function not found") {
            return nil
        }
    }
}
