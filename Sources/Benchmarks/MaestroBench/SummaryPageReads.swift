import MaestroDomain
import MaestroStore
import RedisClient

/// The reads a page of task summaries needs and nothing more, as one script: the ids of the first `limit` tasks of
/// the statuses, by creation order (ZRANGE of each status's set, merged), and each task's fields with its links
/// (one HMGET) — no JSON. It is the reference `--large` measures the library's page against in the same run: what
/// Redis takes for the page's reads with the key layout as it is.
enum SummaryPageReads {
    static let script = """
        local prefix, limit = ARGV[1], tonumber(ARGV[2])
        local page = {}
        for i = 3, #ARGV do
            local ranked = redis.call('ZRANGE', prefix .. 'tasks/' .. ARGV[i], 0, limit - 1, 'WITHSCORES')
            for j = 1, #ranked, 2 do page[#page + 1] = { ranked[j], tonumber(ranked[j + 1]) } end
        end
        table.sort(page, function(a, b) return a[2] < b[2] end)
        local read = 0
        for i = 1, math.min(limit, #page) do
            redis.call('HMGET', prefix .. 'task:' .. page[i][1], 'title', 'status', 'priority', 'parentId', 'createdAt',
                'updatedAt', 'version', 'links')
            read = read + 1
        end
        return read
        """

    /// The script for the first `limit` tasks of `statuses` in `scope` (a single Redis: the keys are built inside).
    static func command(scope: ProjectScope, statuses: [TaskStatus], limit: Int) -> RedisCommand {
        RedisCommand("EVAL", [script, "0", scope.keyPrefix, String(limit)] + statuses.map(\.rawValue))
    }
}
