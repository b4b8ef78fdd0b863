-- Stale work: a progress entry in queued or working with no report for the project's staleAfterSeconds.
--   <prefix>stale-watch   string  "done" once the entries written before stale-due existed are watched too

local STALE_BATCH = 500

function key_of.stale_watch(prefix) return prefix .. 'stale-watch' end

-- The creation order of a new task. A project whose first task this library writes has every progress entry watched
-- and every task's links in its hash from the start, so nothing written by an older library is left to visit.
local function new_task_order(prefix)
    if redis.call('EXISTS', key_of.stale_watch(prefix)) == 0 then
        local _, total = union_page(status_sets(prefix), 0, 0)
        if total == 0 then
            redis.call('SET', key_of.stale_watch(prefix), 'done')
            redis.call('SET', key_of.links_upgrade(prefix), 'done')
        end
    end
    return redis.call('INCR', prefix .. 'seq')
end

-- Watches the entries a project had before this library version watched any (one batch of tasks per call, from
-- where the last call stopped). True once every task was visited.
local function watch_existing_progress(prefix)
    local marker = key_of.stale_watch(prefix)
    local offset = redis.call('GET', marker)
    if offset == 'done' then return true end
    offset = tonumber(offset) or 0
    local ids, total = union_page(status_sets(prefix), offset, STALE_BATCH)
    for _, task_id in ipairs(ids) do
        for _, session_id in ipairs(task_links.session_ids(task_links.read(prefix, task_id))) do
            local status, last = unpack(redis.call('HMGET', key_of.progress(prefix, task_id, session_id),
                'status', 'lastUpdated'))
            local millis = millis_of_iso(last)
            if status and millis and WATCHED_STATUSES[status] then
                redis.call('ZADD', key_of.stale_due(prefix), 'NX', millis, task_id .. ' ' .. session_id)
            end
        end
    end
    local done = offset + #ids >= total
    redis.call('SET', marker, done and 'done' or tostring(offset + #ids))
    return done
end

-- ARGV: version, idempotency key (unused), max stream length. Marks up to 500 progress entries that have gone
-- without a report for the project's staleAfterSeconds: staleSince on the entry (when it became stale), the task's
-- version bumped, one task:session_stale {taskId, sessionId, staleSince, version} each. An entry is marked once:
-- atomic, so several servers may sweep at once. Returns {"stale":[{"taskId","sessionId"}...],"more":bool}; more
-- when another call has work left.
local function sweep_stale(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    local watched = watch_existing_progress(prefix)
    local stale_after = project_setting(project_record(prefix), 'staleAfterSeconds') * 1000
    local due = redis.call('ZRANGEBYSCORE', key_of.stale_due(prefix), '-inf', now_millis() - stale_after,
        'WITHSCORES', 'LIMIT', 0, STALE_BATCH)
    local marked = {}
    for i = 1, #due, 2 do
        redis.call('ZREM', key_of.stale_due(prefix), due[i])
        local task_id, session_id = string.match(due[i], '^(%S+) (%S+)$')
        local key = key_of.progress(prefix, task_id or '', session_id or '')
        local status = task_id and redis.call('HGET', key, 'status')
        -- Entries leave the watch when they leave queued and working; this only guards against a stray member.
        if status and WATCHED_STATUSES[status] then
            local since = iso_of_millis(tonumber(due[i + 1]) + stale_after)
            redis.call('HSET', key, 'staleSince', since)
            task_links.set(prefix, task_id, session_id, status, since)
            redis.call('ZADD', key_of.stale(prefix), tonumber(due[i + 1]) + stale_after, due[i])
            local version = redis.call('HINCRBY', key_of.task(prefix, task_id), 'version', 1)
            emit(keys, args, 'task:session_stale', json.object(
                'taskId', json.plain(task_id),
                'sessionId', json.plain(session_id),
                'staleSince', json.plain(since),
                'version', tostring(version)
            ))
            marked[#marked + 1] = json.object('taskId', json.plain(task_id), 'sessionId', json.plain(session_id))
        end
    end
    return json.object(
        'stale', json.array(marked),
        'more', (not watched or #due == 2 * STALE_BATCH) and 'true' or 'false'
    )
end

-- ARGV: version, limit (0-1000). Read-only: the tasks with a stale progress entry, the longest stale first, as
-- {"tasks":[...],"total":N,"cursor"}; total counts every such task.
local function list_stale(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    local limit = check_page_limit(args[2])
    local seen, ids = {}, {}
    for _, member in ipairs(redis.call('ZRANGE', key_of.stale(prefix), 0, -1)) do
        local task_id = string.match(member, '^(%S+) ')
        if task_id and not seen[task_id] then
            seen[task_id] = true
            ids[#ids + 1] = task_id
        end
    end
    local tasks = {}
    for i = 1, math.min(limit, #ids) do
        local task = load_task(prefix, ids[i])
        if task then tasks[#tasks + 1] = task_json(prefix, task) end
    end
    return page_json(keys, 'tasks', tasks, #ids)
end
