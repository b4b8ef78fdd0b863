-- Key layout (prefix = `mae:{P}:`; ids never contain '/', so nested keys cannot collide with ids):
--   <prefix>task:<id>                      hash   the task's fields, including `version`
--   <prefix>task:<id> field links          linked sessions, their statuses and staleness, in join order (links.lua)
--   <prefix>task:<id>/progress/<sessionId> hash   that session's progress on the task
--   <prefix>task:<id>/children             set    ids of subtasks
--   <prefix>tasks/<status>                 zset   task ids by task status, scored by creation order (every task is
--                                                 in exactly one: together they are the project's tasks)
--   <prefix>seq                            string creation counter
--   <prefix>session:<id>                   hash   the session's fields and its token's SHA-1
--   <prefix>session:<id>/tasks             list   linked task ids, in join order
--   <prefix>sessions                       zset   every session id, scored by creation order
--   <prefix>project                        hash   the project's name and description (imports.lua)
--   <prefix>events                         stream the project's events; channel <prefix>live carries them live
--   <prefix>idem/<function>/<key>          string a call's reply, kept a day for retries

function key_of.task(prefix, task_id) return prefix .. 'task:' .. task_id end
function key_of.progress(prefix, task_id, session_id)
    return prefix .. 'task:' .. task_id .. '/progress/' .. session_id
end
function key_of.session(prefix, session_id) return prefix .. 'session:' .. session_id end

local function hash_to_table(flat)
    local result = {}
    for i = 1, #flat, 2 do result[flat[i]] = flat[i + 1] end
    return result
end

-- The project id in a key prefix `mae:{P}:`.
local function project_of_prefix(prefix) return string.sub(prefix, 6, -3) end

-- A task's hash with its id and project filled in (the hash leaves them out: its key names both).
local function load_task(prefix, task_id)
    local task = hash_to_table(redis.call('HGETALL', key_of.task(prefix, task_id)))
    if task.status == nil then return nil end
    task.id = task_id
    task.projectId = project_of_prefix(prefix)
    return task
end

local function require_task(prefix, task_id)
    local task = load_task(prefix, task_id)
    if task ~= nil then return task end
    if redis.call('EXISTS', prefix .. 'archived:' .. task_id) == 1 then
        refuse('NOT_FOUND', 'task ' .. task_id .. ' is archived; restore it first (POST /api/tasks/' .. task_id ..
            '/restore)')
    end
    refuse('NOT_FOUND', 'task ' .. task_id .. ' does not exist in this project')
end

local function load_session(prefix, session_id)
    local session = hash_to_table(redis.call('HGETALL', key_of.session(prefix, session_id)))
    if session.id == nil then return nil end
    return session
end

local function require_session(prefix, session_id)
    local session = load_session(prefix, session_id)
    if session == nil then refuse('NOT_FOUND', 'session ' .. session_id .. ' does not exist in this project') end
    return session
end

-- A session proves itself with its token; only its SHA-1 is stored.
local function require_session_token(prefix, session_id, token)
    local session = require_session(prefix, session_id)
    if token == nil or token == '' or redis.sha1hex(token) ~= session.tokenHash then
        refuse('FORBIDDEN', 'the session token does not match session ' .. session_id)
    end
    return session
end

local function progress_json(entry)
    return json.object(
        'sessionId', json.plain(entry.sessionId),
        'status', json.plain(entry.status),
        'lastUpdated', json.plain(entry.lastUpdated),
        'notes', entry.notes and json.string(entry.notes),
        'answer', entry.answer and json.string(entry.answer),
        'answeredAt', entry.answeredAt and json.plain(entry.answeredAt),
        'staleSince', entry.staleSince and json.plain(entry.staleSince)
    )
end

-- The task's linked sessions and their progress entries, as stored; `links`, when given, are the task's parsed links
-- from a read of its hash just made.
local function load_progress(prefix, task_id, links)
    local session_ids = task_links.session_ids(links or task_links.read(prefix, task_id))
    local entries = {}
    for i, session_id in ipairs(session_ids) do
        entries[i] = hash_to_table(redis.call('HGETALL', key_of.progress(prefix, task_id, session_id)))
    end
    return session_ids, entries
end

-- The statuses of the task's progress entries, in join order.
local function session_statuses(prefix, task_id)
    return task_links.statuses(redis.call('HGET', key_of.task(prefix, task_id), 'links'))
end

-- `with_extra` adds the record's extra data (fields of an older system): single reads and exports carry it,
-- events and lists do not, so they stay small. `session_ids` and `entries` default to what Redis holds (an archived
-- task brings its own).
local function task_json(prefix, task, with_extra, session_ids, entries)
    if session_ids == nil then session_ids, entries = load_progress(prefix, task.id) end
    local progress, statuses = {}, {}
    for i, entry in ipairs(entries) do
        progress[i] = progress_json(entry)
        statuses[i] = entry.status
    end
    local suggestion = suggested_status(task.status, statuses)
    local ids = {}
    for i, session_id in ipairs(session_ids) do ids[i] = json.plain(session_id) end
    return json.object(
        'id', json.plain(task.id),
        'projectId', json.plain(task.projectId),
        'title', json.string(task.title),
        'description', task.description and json.string(task.description),
        'status', json.plain(task.status),
        'priority', json.plain(task.priority),
        'sessionIds', json.array(ids),
        'sessionProgress', json.array(progress),
        'parentId', task.parentId and json.plain(task.parentId),
        'createdAt', json.plain(task.createdAt),
        'updatedAt', json.plain(task.updatedAt),
        'version', task.version,
        'suggestedStatus', suggestion and json.plain(suggestion),
        'extra', with_extra and task.extra or nil,
        'archived', task.archived and 'true' or nil
    )
end

-- A task just read with load_task, as task_json gives it, its links taken from that read (lists of many tasks).
local function loaded_task_json(prefix, task, with_extra)
    return task_json(prefix, task, with_extra, load_progress(prefix, task.id, task_links.parse(task.links)))
end

-- A task's summary for lists that hold many tasks (the dashboard): no description, notes, answers or extra data,
-- and each linked session's status only, all from the task's hash (one read). Its fields for the server to lay out
-- as JSON (TaskSummaryPage): a page holds a thousand of them, and writing their JSON here cost Redis a fifth of the
-- page. In this order, absent ones false: title, status, priority, parentId, createdAt, updatedAt, version, the
-- progress array's JSON, id, suggestedStatus.
local function task_summary_fields(prefix, task_id)
    local fields = redis.call('HMGET', key_of.task(prefix, task_id),
        'title', 'status', 'priority', 'parentId', 'createdAt', 'updatedAt', 'version', 'links')
    local links = fields[8]
    fields[8] = task_links.summary_json(links)
    fields[9] = task_id
    fields[10] = links and fields[2] == 'inprogress' and suggested_status('inprogress', task_links.statuses(links))
        or false
    return fields
end

local function session_json(prefix, session, with_extra)
    return json.object(
        'id', json.string(session.id),
        'name', session.name and json.string(session.name),
        'status', json.string(session.status),
        'legacyStatus', session.legacyStatus and json.string(session.legacyStatus),
        'taskIds', json.strings(redis.call('LRANGE', key_of.session(prefix, session.id) .. '/tasks', 0, -1)),
        'projectId', json.string(session.projectId),
        'spawnSource', json.string(session.spawnSource),
        'createdAt', json.string(session.createdAt),
        'updatedAt', json.string(session.updatedAt),
        'error', session.error and json.string(session.error),
        'host', session.host and json.string(session.host),
        'pid', session.pid,
        'lastHeartbeat', session.lastHeartbeat and json.string(session.lastHeartbeat),
        'unresponsiveSince', session.unresponsiveSince and json.plain(session.unresponsiveSince),
        'extra', with_extra and session.extra or nil
    )
end

-- Marks a change to the task: bumps and returns its version, and stamps updatedAt.
local function touch_task(prefix, task, now)
    task.version = tostring(redis.call('HINCRBY', key_of.task(prefix, task.id), 'version', 1))
    task.updatedAt = now
    redis.call('HSET', key_of.task(prefix, task.id), 'updatedAt', now)
    return task.version
end

-- Links a session to a task with a queued progress entry, bumps the task and emits the event; `actor` (for the
-- history) is who linked it. Returns the event id.
local function link_queued(keys, args, prefix, task, session_id, now, actor)
    redis.call('HSET', key_of.progress(prefix, task.id, session_id),
        'sessionId', session_id, 'status', 'queued', 'lastUpdated', now)
    watch_progress(prefix, task.id, session_id, 'queued', millis_of_iso(now))
    task_links.set(prefix, task.id, session_id, 'queued')
    redis.call('RPUSH', key_of.session(prefix, session_id) .. '/tasks', task.id)
    local version = touch_task(prefix, task, now)
    record_history(prefix, task.id, now, actor, 'queued', { { 'sessionId', json.string(session_id) } })
    return emit(keys, args, 'task:session_status', json.object(
        'taskId', json.string(task.id),
        'sessionId', json.string(session_id),
        'status', '"queued"',
        'notes', 'null',
        'lastUpdated', json.string(now),
        'version', version,
        'suggestedStatus', 'null'
    ))
end

-- The id of the newest event, which a snapshot read is consistent with ('0-0' for none yet).
local function stream_cursor(keys)
    local last = redis.call('XREVRANGE', keys[1], '+', '-', 'COUNT', 1)
    if #last == 0 then return '0-0' end
    return last[1][1]
end

-- A page of a list: its items (JSON texts) under `name`, how many the list holds in all, and the stream id the read
-- is consistent with.
local function page_json(keys, name, items, total)
    return json.object(
        name, json.array(items),
        'total', tostring(total),
        'cursor', json.string(stream_cursor(keys))
    )
end

-- The score of the member at 0-based `rank` in the union of disjoint zsets scored by unique creation orders: the
-- smallest s with (members scored <= s) > rank, found by bisection on ZCOUNT between 0 and `high`.
local function union_score_at(sets, rank, high)
    local low = 0
    while low < high do
        local middle = math.floor((low + high) / 2)
        local count = 0
        for _, key in ipairs(sets) do count = count + redis.call('ZCOUNT', key, '-inf', middle) end
        if count > rank then high = middle else low = middle + 1 end
    end
    return low
end

-- Merges runs of `member, score, member, score...` (each ascending by score) into the members in score order, and
-- their scores.
local function merge_by_score(runs)
    local ids, merged_scores, positions, scores = {}, {}, {}, {}
    for i, run in ipairs(runs) do
        positions[i] = 1
        scores[i] = tonumber(run[2])
    end
    while true do
        local best
        for i = 1, #runs do
            if scores[i] and (best == nil or scores[i] < scores[best]) then best = i end
        end
        if best == nil then return ids, merged_scores end
        local run, position = runs[best], positions[best]
        ids[#ids + 1] = run[position]
        merged_scores[#ids] = scores[best]
        positions[best] = position + 2
        scores[best] = tonumber(run[position + 3])
    end
end

-- The ids at [offset, offset + limit) of the union of disjoint zsets scored by creation order, in that order, and
-- the union's size; the cost grows with the page, not with the sets. Several sets: the page's first and last scores
-- are found by bisection on ZCOUNT, and each set gives exactly its members between them.
local function union_page(sets, offset, limit)
    local total = 0
    for _, key in ipairs(sets) do total = total + redis.call('ZCARD', key) end
    if limit == 0 or offset >= total then return {}, total end
    if #sets == 1 then return redis.call('ZRANGE', sets[1], offset, offset + limit - 1), total end
    local high = 0
    for _, key in ipairs(sets) do
        local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
        if #last > 0 then high = math.max(high, tonumber(last[2])) end
    end
    local first_score = offset == 0 and '-inf' or union_score_at(sets, offset, high)
    local last_score = union_score_at(sets, math.min(offset + limit, total) - 1, high)
    local runs = {}
    for i, key in ipairs(sets) do runs[i] = redis.call('ZRANGEBYSCORE', key, first_score, last_score, 'WITHSCORES') end
    return (merge_by_score(runs)), total
end

-- The four status sets, which together hold every task of the project once.
local function status_sets(prefix)
    local sets = {}
    for i, status in ipairs(TASK_STATUSES) do sets[i] = prefix .. 'tasks/' .. status end
    return sets
end

-- Moves a task from one status set to another, keeping its creation order.
local function move_status(prefix, task_id, from, to)
    local order = redis.call('ZSCORE', prefix .. 'tasks/' .. from, task_id)
    redis.call('ZREM', prefix .. 'tasks/' .. from, task_id)
    redis.call('ZADD', prefix .. 'tasks/' .. to, order, task_id)
end

-- A session that may queue and report: its token matches and it is not stopped or failed (a user restarts it
-- first).
local function require_reporting_session(prefix, session_id, token)
    local session = require_session_token(prefix, session_id, token)
    if session.status == 'stopped' or session.status == 'failed' then
        refuse('CONFLICT', 'session ' .. session_id .. ' is ' .. session.status ..
            ' and cannot queue tasks or report progress until a user restarts it', session.status, {})
    end
    return session
end

local MAX_TASKS_PER_CALL = 1000

-- Refuses tasks that cannot be queued: unknown, or cancelled.
local function require_queueable(prefix, task_id)
    local task = require_task(prefix, task_id)
    if task.status == 'cancelled' then
        refuse('INVALID_TRANSITION',
            'task ' .. task_id .. ' is cancelled and cannot be queued; a user must restore it first', 'cancelled', {})
    end
    return task
end

-- The distinct tasks named in args[first..], all checked before any is used: every id valid, every task
-- existing and not cancelled.
local function queueable_tasks(prefix, args, first)
    if #args - first + 1 > MAX_TASKS_PER_CALL then
        refuse('INVALID_INPUT', 'at most ' .. MAX_TASKS_PER_CALL .. ' task ids per call (got ' ..
            (#args - first + 1) .. ')')
    end
    for i = first, #args do check_id(args[i], 'task id') end
    local tasks = {}
    local seen = {}
    for i = first, #args do
        if not seen[args[i]] then
            seen[args[i]] = true
            tasks[#tasks + 1] = require_queueable(prefix, args[i])
        end
    end
    return tasks
end
