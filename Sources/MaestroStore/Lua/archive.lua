-- The archive: completed and cancelled tasks that nobody changed for the project's archiveAfterDays leave the lists
-- and every index, each folded into one string (one key instead of a hash, two lists, progress hashes and a
-- history), and stay readable, listable and restorable.
--   <prefix>archive           zset    archived task ids, scored by creation order
--   <prefix>archived:<id>     string  JSON [order, [task fields in ARCHIVED_TASK_FIELDS order], [[progress entry in
--                                     ARCHIVED_PROGRESS_FIELDS order], ...], [history entries, newest first]]
--                                     (absent fields null)

local ARCHIVE_SWEEP_STATUSES = { 'completed', 'cancelled' }
local ARCHIVED_TASK_FIELDS = {
    'title', 'description', 'status', 'priority', 'parentId', 'createdAt', 'updatedAt', 'version', 'extra',
}
local ARCHIVED_PROGRESS_FIELDS = { 'sessionId', 'status', 'lastUpdated', 'notes', 'answer', 'answeredAt' }

function key_of.archived(prefix, task_id) return prefix .. 'archived:' .. task_id end

-- A record's fields in a fixed order, as a JSON array (null for absent ones).
local function fields_array(record, names)
    local values = {}
    for i, name in ipairs(names) do values[i] = record[name] and cjson.encode(record[name]) or 'null' end
    return json.array(values)
end

-- The record back from such an array (cjson reads null as cjson.null).
local function fields_record(values, names)
    local record = {}
    for i, name in ipairs(names) do
        if values[i] ~= cjson.null then record[name] = values[i] end
    end
    return record
end

-- Folds a task into its archive string and removes its keys. The caller checked that it may go: finished, old
-- enough, and no live subtasks.
local function archive_task(prefix, task_id, status)
    local key = key_of.task(prefix, task_id)
    local order = redis.call('ZSCORE', prefix .. 'tasks/' .. status, task_id)
    local task = hash_to_table(redis.call('HGETALL', key))
    local session_ids, entries = load_progress(prefix, task_id)
    local progress = {}
    for i, entry in ipairs(entries) do
        entry.sessionId = session_ids[i]
        progress[i] = fields_array(entry, ARCHIVED_PROGRESS_FIELDS)
        redis.call('DEL', key_of.progress(prefix, task_id, session_ids[i]))
        unwatch_progress(prefix, task_id, session_ids[i])
    end
    redis.call('SET', key_of.archived(prefix, task_id), json.array({
        order, fields_array(task, ARCHIVED_TASK_FIELDS), json.array(progress),
        json.strings(history_entries(key_of.history(prefix, task_id))),
    }))
    redis.call('ZADD', prefix .. 'archive', order, task_id)
    redis.call('ZREM', prefix .. 'tasks/' .. status, task_id)
    if task.parentId then redis.call('SREM', key_of.task(prefix, task.parentId) .. '/children', task_id) end
    redis.call('DEL', key, key .. '/children', key_of.history(prefix, task_id))
end

-- An archived task, decoded: {order, task (with id, projectId, archived), sessionIds, entries, history}; nil when
-- the task is not archived.
local function archived_record(prefix, task_id)
    local stored = redis.call('GET', key_of.archived(prefix, task_id))
    if not stored then return nil end
    local parts = cjson.decode(stored)
    local task = fields_record(parts[2], ARCHIVED_TASK_FIELDS)
    task.id, task.projectId, task.archived = task_id, project_of_prefix(prefix), true
    local session_ids, entries = {}, {}
    for i, values in ipairs(parts[3]) do
        entries[i] = fields_record(values, ARCHIVED_PROGRESS_FIELDS)
        session_ids[i] = entries[i].sessionId
    end
    return { order = parts[1], task = task, sessionIds = session_ids, entries = entries, history = parts[4] }
end

-- An archived task as get_task shows it (with "archived":true), or nil.
local function archived_task_json(prefix, task_id)
    local record = archived_record(prefix, task_id)
    return record and task_json(prefix, record.task, true, record.sessionIds, record.entries)
end

-- An archived task's summary fields, as task_summary_fields gives a live one's.
local function archived_summary_fields(prefix, task_id)
    local record = archived_record(prefix, task_id)
    local task = record.task
    local progress = {}
    for i, entry in ipairs(record.entries) do
        progress[i] = '{"sessionId":"' .. entry.sessionId .. '","status":"' .. entry.status .. '"}'
    end
    return { task.title, task.status, task.priority, task.parentId or false, task.createdAt, task.updatedAt,
        task.version, '[' .. table.concat(progress, ',') .. ']', task_id, false }
end

-- ARGV: version, idempotency key (unused), max stream length, batch size (1-1000). Archives, in each finished status,
-- up to `batch` tasks past the project's archiveAfterDays, walking the status set from where the last sweep
-- stopped (so each call is bounded, and a whole pass visits every task). One task:archived each. Returns
-- {"archived":[ids],"passDone":bool}: passDone once both statuses were walked to their end.
local function archive_sweep(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    local batch = check_page_limit(args[4])
    if batch < 1 then refuse('INVALID_INPUT', 'an archive sweep needs a batch of 1 to 1000 tasks') end
    local record = project_record(prefix)
    local before = now_iso(project_setting(record, 'archiveAfterDays') * 86400)
    local archived = {}
    local done = true
    for _, status in ipairs(ARCHIVE_SWEEP_STATUSES) do
        local cursor_field = 'archiveCursor:' .. status
        local from = record[cursor_field] and ('(' .. record[cursor_field]) or '-inf'
        local page = redis.call('ZRANGEBYSCORE', prefix .. 'tasks/' .. status, from, '+inf', 'WITHSCORES',
            'LIMIT', 0, batch)
        for i = 1, #page, 2 do
            local task_id = page[i]
            local key = key_of.task(prefix, task_id)
            if redis.call('HGET', key, 'updatedAt') < before and redis.call('SCARD', key .. '/children') == 0 then
                archive_task(prefix, task_id, status)
                archived[#archived + 1] = task_id
                emit(keys, args, 'task:archived', json.object('taskId', json.plain(task_id)))
            end
        end
        if #page < batch * 2 then
            redis.call('HDEL', prefix .. 'project', cursor_field) -- the pass is over: the next starts again
        else
            redis.call('HSET', prefix .. 'project', cursor_field, page[#page])
            done = false
        end
    end
    return json.object('archived', json.strings(archived), 'passDone', tostring(done))
end

-- Unfolds an archived task (`stored`, from archived_record) into its keys as it was when archived, and takes it out
-- of the archive; a live parent knows it as a subtask again.
local function unarchive_task(prefix, id, stored)
    local parent_id = stored.task.parentId
    local key = key_of.task(prefix, id)
    local flat = {}
    for _, name in ipairs(ARCHIVED_TASK_FIELDS) do
        if stored.task[name] then
            flat[#flat + 1] = name
            flat[#flat + 1] = stored.task[name]
        end
    end
    local restored_links = {}
    for i, session_id in ipairs(stored.sessionIds) do
        local entry = {}
        for _, name in ipairs(ARCHIVED_PROGRESS_FIELDS) do
            if stored.entries[i][name] then
                entry[#entry + 1] = name
                entry[#entry + 1] = stored.entries[i][name]
            end
        end
        redis.call('HSET', key_of.progress(prefix, id, session_id), unpack(entry))
        watch_progress(prefix, id, session_id, stored.entries[i].status,
            millis_of_iso(stored.entries[i].lastUpdated) or now_millis())
        restored_links[i] = { session_id, stored.entries[i].status }
    end
    redis.call('HSET', key, unpack(flat))
    task_links.write(prefix, id, restored_links)
    if #stored.history > 0 then redis.call('RPUSH', key_of.history(prefix, id), unpack(stored.history)) end
    redis.call('ZADD', prefix .. 'tasks/' .. stored.task.status, stored.order, id)
    if parent_id and redis.call('EXISTS', key_of.task(prefix, parent_id)) == 1 then
        redis.call('SADD', key_of.task(prefix, parent_id) .. '/children', id)
    end
    redis.call('ZREM', prefix .. 'archive', id)
    redis.call('DEL', key_of.archived(prefix, id))
end

-- ARGV: version, idempotency key, max stream length, taskId. A user brings an archived task back, as it was (its
-- archived ancestors first, so parents keep knowing their subtasks); its updatedAt becomes now, so the next sweep
-- leaves it. Emits task:restored with the task.
local function restore_task(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    return once(prefix, 'restore_task', args, function()
        local task_id = args[4]
        check_id(task_id, 'task id')
        local record = archived_record(prefix, task_id)
        if record == nil then
            if load_task(prefix, task_id) then
                refuse('CONFLICT', 'task ' .. task_id .. ' is not archived', 'live', {})
            end
            refuse('NOT_FOUND', 'task ' .. task_id .. ' is not in this project\'s archive')
        end
        local event_ids = {}
        local function restore(id, stored)
            local parent_id = stored.task.parentId
            local parent = parent_id and archived_record(prefix, parent_id)
            if parent then restore(parent_id, parent) end
            unarchive_task(prefix, id, stored)
            local task = load_task(prefix, id)
            local now = now_iso()
            touch_task(prefix, task, now)
            record_history(prefix, id, now, 'user', 'restored', {})
            event_ids[#event_ids + 1] = emit(keys, args, 'task:restored', json.object('task', task_json(prefix, task)))
        end
        restore(task_id, record)
        local body = task_json(prefix, load_task(prefix, task_id))
        return json.object('task', body, 'eventIds', json.strings(event_ids))
    end)
end
