-- Imports: whole records written as they are given (migration from the old server, `maestro import`), and
-- the reads an export needs. One call writes one record atomically and keeps every index in step.
--
-- Every import function takes, after the common ARGV[1..3]:
--   ARGV[4]  policy: 'newer' writes only over an older record, 'force' also over a newer one
--   ARGV[5]  '1' for a dry run: the outcome is worked out and returned, nothing is written
-- and answers {"outcome","id","version"?,"reason"?,"current"?,"eventIds"} where outcome is
--   created    the record did not exist
--   unchanged  Redis already holds exactly this record (the `version` of a task is not compared)
--   updated    Redis held an older one (its updatedAt is earlier), or the policy is 'force'
--   skipped    Redis holds a newer one (reason 'newer') or one as recent but different (reason 'conflict');
--              `current` is its updatedAt
-- Timestamps are ISO-8601 UTC with milliseconds, so comparing them as strings compares the times.
-- Tasks emit task:created / task:updated, sessions session:spawn (the full session), so live dashboards see
-- imports; projects emit nothing. Unchanged and skipped records emit nothing.

local MAX_EXTRA_BYTES = 8388608
local TIMESTAMP_PATTERN = '^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d%.%d%d%dZ$'

local function check_timestamp(value, what)
    if string.find(value, TIMESTAMP_PATTERN) == nil then
        refuse('INVALID_INPUT', what .. ' must be an ISO-8601 UTC time like 2024-01-31T09:30:00.000Z (got ' ..
            quoted(value, 40) .. ')')
    end
end

-- Extra data is a JSON object, stored as the caller's text (Maestro clients send it canonical).
local function check_extra(value)
    if value == '' then return end
    if #value > MAX_EXTRA_BYTES then
        refuse('INVALID_INPUT', 'extra data must be at most ' .. MAX_EXTRA_BYTES .. ' bytes (got ' .. #value .. ')')
    end
    local ok, decoded = pcall(cjson.decode, value)
    if not ok or type(decoded) ~= 'table' or string.sub(value, 1, 1) ~= '{' then
        refuse('INVALID_INPUT', 'extra data must be a JSON object')
    end
end

-- Like `once`, but remembers only replies of calls that wrote: an unchanged, skipped or dry-run import leaves
-- no trace at all (a second migration writes nothing), and its retry simply works the answer out again.
-- `apply` returns the reply and whether it wrote.
local function once_if_written(prefix, name, args, apply)
    local record = idempotency_record(prefix, name, args[2])
    local digest = arguments_digest(args)
    local previous = replayed_reply(record, digest)
    if previous then return previous end
    local reply, wrote = apply()
    if wrote then remember_reply(record, digest, reply) end
    return reply
end

local function import_mode(args)
    check_one_of(args[4], { 'newer', 'force' }, 'import policy')
    check_one_of(args[5], { '0', '1' }, 'dry-run flag')
    return args[4], args[5] == '1'
end

local function optional(value)
    if value == '' then return nil end
    return value
end

-- What importing `incoming` over `existing` does; `same` tells whether the stored record equals it.
local function import_outcome(existing, incoming, policy, same)
    if existing == nil then return 'created' end
    if same() then return 'unchanged' end
    if policy == 'force' or existing.updatedAt < incoming.updatedAt then return 'updated' end
    if existing.updatedAt > incoming.updatedAt then return 'skipped', 'newer' end
    return 'skipped', 'conflict'
end

local function import_reply(outcome, id, reason, current, version, event_ids)
    return json.object(
        'outcome', json.string(outcome),
        'id', json.string(id),
        'version', version,
        'reason', reason and json.string(reason),
        'current', current and json.string(current),
        'eventIds', json.strings(event_ids or {})
    )
end

-- Whether two tables hold the same values under `fields`.
local function same_fields(a, b, fields)
    for _, field in ipairs(fields) do
        if a[field] ~= b[field] then return false end
    end
    return true
end

local function same_list(a, b)
    if #a ~= #b then return false end
    for i = 1, #a do
        if a[i] ~= b[i] then return false end
    end
    return true
end

-- Replaces a hash with exactly `fields` (a table; nil values are left out).
local function write_hash(key, names, record)
    local flat = {}
    for _, name in ipairs(names) do
        if record[name] ~= nil then
            flat[#flat + 1] = name
            flat[#flat + 1] = record[name]
        end
    end
    redis.call('DEL', key)
    redis.call('HSET', key, unpack(flat))
end

-- Refuses a parent that does not exist, that is archived when the task is not (`archived`: the task goes to the
-- archive), or that would make the task its own ancestor.
local function check_parent(prefix, task_id, parent_id, archived)
    local function find(id)
        local live = load_task(prefix, id)
        if live then return live end
        local stored = archived_record(prefix, id)
        if stored and not archived then
            refuse('CONFLICT', 'the parent task ' .. id .. ' of task ' .. task_id .. ' is archived: restore it ' ..
                'first, or import the task as archived')
        end
        return stored and stored.task
    end
    local ancestor = find(parent_id) or require_task(prefix, parent_id)
    for _ = 1, 10000 do
        if ancestor.id == task_id then
            refuse('CONFLICT', 'task ' .. parent_id .. ' cannot be the parent of task ' .. task_id ..
                ': it is the task itself or one of its subtasks')
        end
        if ancestor.parentId == nil then return end
        ancestor = find(ancestor.parentId)
        if ancestor == nil then return end
    end
end

-- The task hash's fields (its id and project are in its key).
local TASK_FIELDS = {
    'title', 'description', 'status', 'priority', 'parentId', 'createdAt', 'updatedAt', 'version', 'extra',
}
local COMPARED_TASK_FIELDS = {
    'title', 'description', 'status', 'priority', 'parentId', 'createdAt', 'updatedAt', 'extra',
}
local FIRST_PROGRESS_ARG = 17

-- The task, its progress entries and whether it goes to the archive, from ARGV, all checked.
local function task_from_args(project, args)
    local task = {
        id = args[6], projectId = project, title = args[7], description = optional(args[8]), status = args[9],
        priority = args[10], parentId = optional(args[11]), createdAt = args[12], updatedAt = args[13],
        version = args[14], extra = optional(args[15]),
    }
    for i = 6, 16 do
        if args[i] == nil then refuse('INVALID_INPUT', 'an imported task needs ' .. (FIRST_PROGRESS_ARG - 1) ..
            ' arguments before its progress entries') end
    end
    check_id(task.id, 'task id')
    check_title(task.title)
    check_text(args[8], 'a description', MAX_DESCRIPTION_BYTES)
    check_one_of(task.status, TASK_STATUSES, 'task status')
    check_one_of(task.priority, PRIORITIES, 'priority')
    if task.parentId then
        check_id(task.parentId, 'parent task id')
        if task.parentId == task.id then refuse('CONFLICT', 'task ' .. task.id .. ' cannot be its own parent') end
    end
    check_timestamp(task.createdAt, 'createdAt')
    check_timestamp(task.updatedAt, 'updatedAt')
    -- At most 14 digits: Lua numbers print exactly up to there.
    if string.find(task.version, '^[1-9]' .. string.rep('%d?', 13) .. '$') == nil then
        refuse('INVALID_INPUT', 'a task version must be a whole number from 1 to 99999999999999')
    end
    check_extra(args[15])
    check_one_of(args[16], { '0', '1' }, 'archived flag')
    local archived = args[16] == '1'
    if archived and task.status ~= 'completed' and task.status ~= 'cancelled' then
        refuse('INVALID_INPUT', 'task ' .. task.id .. ' is ' .. task.status ..
            ': only completed and cancelled tasks are archived')
    end
    if (#args - FIRST_PROGRESS_ARG + 1) % 6 ~= 0 then
        refuse('INVALID_INPUT', 'progress entries come as sessionId, status, lastUpdated, notes, answer, answeredAt')
    end
    local entries = {}
    local seen = {}
    for i = FIRST_PROGRESS_ARG, #args, 6 do
        local entry = {
            sessionId = args[i], status = args[i + 1], lastUpdated = args[i + 2], notes = optional(args[i + 3]),
            answer = optional(args[i + 4]), answeredAt = optional(args[i + 5]),
        }
        check_id(entry.sessionId, 'session id')
        if seen[entry.sessionId] then refuse('INVALID_INPUT', 'session ' .. entry.sessionId .. ' is listed twice') end
        seen[entry.sessionId] = true
        check_one_of(entry.status, SESSION_STATUSES, 'session status')
        check_timestamp(entry.lastUpdated, 'lastUpdated')
        check_text(args[i + 3], 'notes', MAX_NOTES_BYTES)
        check_text(args[i + 4], 'an answer', MAX_DESCRIPTION_BYTES)
        if entry.answeredAt then check_timestamp(entry.answeredAt, 'answeredAt') end
        entries[#entries + 1] = entry
    end
    return task, entries, archived
end

local PROGRESS_FIELDS = { 'status', 'lastUpdated', 'notes', 'answer', 'answeredAt' }

-- Whether the stored task equals the imported one: a live one (`existing`, its progress read here) or an archived
-- one (`stored`, from archived_record).
local function same_task(prefix, existing, stored, task, entries)
    if not same_fields(existing or stored.task, task, COMPARED_TASK_FIELDS) then return false end
    local linked = stored and stored.sessionIds or task_links.session_ids(task_links.read(prefix, task.id))
    if #linked ~= #entries then return false end
    for i, entry in ipairs(entries) do
        if linked[i] ~= entry.sessionId then return false end
        local progress = stored and stored.entries[i]
            or hash_to_table(redis.call('HGETALL', key_of.progress(prefix, task.id, entry.sessionId)))
        if not same_fields(progress, entry, PROGRESS_FIELDS) then return false end
    end
    return true
end

-- Replaces the task's progress entries and session links (`old_links`: its links field before the import) with
-- `entries`, keeping each session's task list in step: unlinked sessions lose the task, newly linked ones gain it at
-- the end.
local function write_progress(prefix, task_id, old_links, entries)
    local keep = {}
    for _, entry in ipairs(entries) do keep[entry.sessionId] = true end
    for _, session_id in ipairs(task_links.session_ids(task_links.parse(old_links))) do
        redis.call('DEL', key_of.progress(prefix, task_id, session_id))
        unwatch_progress(prefix, task_id, session_id)
        if not keep[session_id] then redis.call('LREM', key_of.session(prefix, session_id) .. '/tasks', 0, task_id) end
    end
    local linked = {}
    for i, entry in ipairs(entries) do
        write_hash(key_of.progress(prefix, task_id, entry.sessionId), { 'sessionId', unpack(PROGRESS_FIELDS) }, entry)
        watch_progress(prefix, task_id, entry.sessionId, entry.status, millis_of_iso(entry.lastUpdated) or now_millis())
        linked[i] = { entry.sessionId, entry.status }
        local tasks_of_session = key_of.session(prefix, entry.sessionId) .. '/tasks'
        if redis.call('LPOS', tasks_of_session, task_id) == false then
            redis.call('RPUSH', tasks_of_session, task_id)
        end
    end
    task_links.write(prefix, task_id, linked)
end

-- ARGV: version, idempotency key, max stream length, policy, dry run, taskId, title, description ('' none),
-- status, priority, parentId ('' none), createdAt, updatedAt, version, extra ('' none; a JSON object), archived
-- ('1': the task goes to the archive), then six per linked session, in order: sessionId, status, lastUpdated,
-- notes, answer, answeredAt ('' none).
-- A new task gets the given version and the next creation order; an updated one keeps its creation order and
-- gets the given version or its own plus one, whichever is larger, so versions never go back. The task already
-- here may be archived: it is compared as it is, and unfolded before it is overwritten. An archived task is
-- written, then folded into the archive at once (task:archived), unless it has live subtasks here (the archive
-- sweep takes it once they are gone).
local function import_task(keys, args)
    check_version(keys, args)
    local prefix, project = project_of(keys)
    return once_if_written(prefix, 'import_task', args, function()
        local policy, dry = import_mode(args)
        local task, entries, archived = task_from_args(project, args)
        local existing = load_task(prefix, task.id)
        local stored = existing == nil and archived_record(prefix, task.id) or nil
        local here = existing or (stored and stored.task)
        local outcome, reason = import_outcome(here, task, policy, function()
            return same_task(prefix, existing, stored, task, entries)
        end)
        if dry or outcome == 'unchanged' or outcome == 'skipped' then
            local current = reason and here.updatedAt
            return import_reply(outcome, task.id, reason, current, here and here.version)
        end
        if task.parentId then check_parent(prefix, task.id, task.parentId, archived) end
        if stored then
            unarchive_task(prefix, task.id, stored)
            existing = load_task(prefix, task.id)
        end
        local key = key_of.task(prefix, task.id)
        local order
        if existing then
            task.version = tostring(math.max(tonumber(task.version), tonumber(existing.version) + 1))
            order = redis.call('ZSCORE', prefix .. 'tasks/' .. existing.status, task.id)
            redis.call('ZREM', prefix .. 'tasks/' .. existing.status, task.id)
            if existing.parentId and existing.parentId ~= task.parentId then
                redis.call('SREM', key_of.task(prefix, existing.parentId) .. '/children', task.id)
            end
        end
        if not order then order = new_task_order(prefix) end
        redis.call('ZADD', prefix .. 'tasks/' .. task.status, order, task.id)
        if task.parentId and redis.call('EXISTS', key_of.task(prefix, task.parentId)) == 1 then
            redis.call('SADD', key_of.task(prefix, task.parentId) .. '/children', task.id)
        end
        write_hash(key, TASK_FIELDS, task)
        write_progress(prefix, task.id, existing and existing.links, entries)
        local event_type = existing and 'task:updated' or 'task:created'
        local event_ids = { emit(keys, args, event_type, json.object('task', task_json(prefix, task))) }
        if archived and redis.call('SCARD', key .. '/children') == 0 then
            archive_task(prefix, task.id, task.status)
            event_ids[2] = emit(keys, args, 'task:archived', json.object('taskId', json.plain(task.id)))
        end
        return import_reply(outcome, task.id, nil, nil, task.version, event_ids), true
    end)
end
