import MaestroDomain
import RedisClient

/// Brings the data of older libraries up to the loaded one: library 9 keeps a task's linked sessions in its hash
/// (`links`), where older ones kept a list per task. Run after `FunctionLibrary.install` and
/// `ProjectRegistry.seedIfMissing`, before serving; every registered project is folded in steps of 500 tasks, and a
/// project already done costs one read.
public enum TaskLinksUpgrade {
    /// Upgrades every registered project; returns how many steps it took (one per project when nothing was left).
    @discardableResult
    public static func run(on connection: RedisConnection) throws -> Int {
        var steps = 0
        for projectId in try connection.execute(RegisteredProjects()) {
            let scope = try ProjectScope(projectId: projectId)
            while true {
                steps += 1
                guard try connection.run(UpgradeTaskLinks(scope: scope)).more else { break }
            }
        }
        return steps
    }
}
