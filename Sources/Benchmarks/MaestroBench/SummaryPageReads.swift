import MaestroDomain
import MaestroStore
import RedisClient

/// The reads a page of task summaries needs and nothing more, as one script: `limit` task ids from the statuses'
/// sets (ZRANGE) and each task's fields with its links (one HMGET) — no merge into creation order, no JSON. It is
/// the reference `--large` measures the library's page against in the same run: what Redis takes for the page's
/// reads with the key layout as it is.
enum SummaryPageReads {
    static let script = """
        local prefix, limit = ARGV[1], tonumber(ARGV[2])
        local read = 0
        for i = 3, #ARGV do
            if read == limit then break end
            for _, id in ipairs(redis.call('ZRANGE', prefix .. 'tasks/' .. ARGV[i], 0, limit - read - 1)) do
                redis.call('HMGET', prefix .. 'task:' .. id, 'title', 'status', 'priority', 'parentId', 'createdAt',
                    'updatedAt', 'version', 'links')
                read = read + 1
            end
        end
        return read
        """

    /// The script for the first `limit` tasks of `statuses` in `scope` (a single Redis: the keys are built inside).
    static func command(scope: ProjectScope, statuses: [TaskStatus], limit: Int) -> RedisCommand {
        RedisCommand("EVAL", [script, "0", scope.keyPrefix, String(limit)] + statuses.map(\.rawValue))
    }
}
