-- Task functions: create, update (fields and status), delete, read, list, and unlinking a session.

-- ARGV: version, idempotency key, max stream length, taskId, title, description ('' none), priority, parentId ('' none)
local function create_task(keys, args)
    check_version(keys, args)
    local prefix, project = project_of(keys)
    return once(prefix, 'create_task', args, function()
        local task_id, title, description, priority, parent_id = args[4], args[5], args[6], args[7], args[8]
        check_id(task_id, 'task id')
        check_title(title)
        check_text(description, 'a description', MAX_DESCRIPTION_BYTES)
        check_one_of(priority, PRIORITIES, 'priority')
        if parent_id ~= '' then
            check_id(parent_id, 'parent task id')
            require_task(prefix, parent_id)
        end
        if redis.call('EXISTS', key_of.task(prefix, task_id), key_of.archived(prefix, task_id)) > 0 then
            refuse('CONFLICT', 'task ' .. task_id .. ' already exists in project ' .. project)
        end
        local now = now_iso()
        local task = {
            id = task_id, projectId = project, title = title, status = 'todo', priority = priority,
            createdAt = now, updatedAt = now, version = '1',
        }
        local fields = { 'title', title, 'status', 'todo', 'priority', priority, 'createdAt', now, 'updatedAt', now,
            'version', 1 }
        if description ~= '' then
            task.description = description
            fields[#fields + 1] = 'description'
            fields[#fields + 1] = description
        end
        if parent_id ~= '' then
            task.parentId = parent_id
            fields[#fields + 1] = 'parentId'
            fields[#fields + 1] = parent_id
            redis.call('SADD', key_of.task(prefix, parent_id) .. '/children', task_id)
        end
        redis.call('HSET', key_of.task(prefix, task_id), unpack(fields))
        redis.call('ZADD', prefix .. 'tasks/todo', new_task_order(prefix), task_id)
        local body = task_json(prefix, task)
        local event_id = emit(keys, args, 'task:created', json.object('task', body))
        return json.object('task', body, 'eventIds', json.strings({ event_id }))
    end)
end

-- ARGV: version, idempotency key, max stream length, taskId, then name/value pairs among
-- title, description ('' clears it), priority, status. Setting what the task already has is a no-op.
local function update_task(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    return once(prefix, 'update_task', args, function()
        local task_id = args[4]
        check_id(task_id, 'task id')
        local task = require_task(prefix, task_id)
        local changes = {}
        local removes_description = false
        local new_status = nil
        for i = 5, #args, 2 do
            local name, value = args[i], args[i + 1]
            if value == nil then refuse('INVALID_INPUT', 'field ' .. name .. ' has no value') end
            if name == 'title' then
                check_title(value)
            elseif name == 'description' then
                check_text(value, 'a description', MAX_DESCRIPTION_BYTES)
            elseif name == 'priority' then
                check_one_of(value, PRIORITIES, 'priority')
            elseif name == 'status' then
                check_one_of(value, TASK_STATUSES, 'task status')
                if value ~= task.status then
                    check_transition(TASK_TARGETS, 'the status of task ' .. task_id, task.status, value)
                    new_status = value
                end
            else
                refuse('INVALID_INPUT', 'unknown task field ' .. quoted(name, 40) ..
                    '; use title, description, priority or status')
            end
            if name == 'description' and value == '' then
                removes_description = task.description ~= nil
            elseif name ~= 'status' and task[name] ~= value then
                changes[#changes + 1] = name
                changes[#changes + 1] = value
            end
        end
        if #changes == 0 and not removes_description and new_status == nil then
            return json.object('task', task_json(prefix, task), 'eventIds', '[]')
        end
        local key = key_of.task(prefix, task_id)
        local now = now_iso()
        local changed = {}
        for i = 1, #changes, 2 do changed[#changed + 1] = changes[i] end
        if removes_description then changed[#changed + 1] = 'description' end
        if #changed > 0 then
            record_history(prefix, task_id, now, 'user', 'updated', { { 'fields', json.strings(changed) } })
        end
        if new_status ~= nil then
            record_history(prefix, task_id, now, 'user', 'status', {
                { 'from', json.string(task.status) }, { 'to', json.string(new_status) },
            })
        end
        for i = 1, #changes, 2 do task[changes[i]] = changes[i + 1] end
        if #changes > 0 then redis.call('HSET', key, unpack(changes)) end
        if removes_description then
            task.description = nil
            redis.call('HDEL', key, 'description')
        end
        if new_status ~= nil then
            move_status(prefix, task_id, task.status, new_status)
            redis.call('HSET', key, 'status', new_status)
            task.status = new_status
        end
        touch_task(prefix, task, now)
        local body = task_json(prefix, task)
        local event_id = emit(keys, args, 'task:updated', json.object('task', body))
        return json.object('task', body, 'eventIds', json.strings({ event_id }))
    end)
end

-- Deletes an archived task: its archive string, and its place in its sessions' lists.
local function delete_archived(prefix, task_id, record)
    for _, session_id in ipairs(record.sessionIds) do
        redis.call('LREM', key_of.session(prefix, session_id) .. '/tasks', 0, task_id)
    end
    redis.call('ZREM', prefix .. 'archive', task_id)
    redis.call('DEL', key_of.archived(prefix, task_id))
end

-- ARGV: version, idempotency key, max stream length, taskId. Refused while the task has subtasks. An archived task
-- can be deleted too.
local function delete_task(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    return once(prefix, 'delete_task', args, function()
        local task_id = args[4]
        check_id(task_id, 'task id')
        local archived = archived_record(prefix, task_id)
        if archived then
            delete_archived(prefix, task_id, archived)
            local event_id = emit(keys, args, 'task:deleted', json.object('taskId', json.plain(task_id)))
            return json.object('taskId', json.plain(task_id), 'eventIds', json.strings({ event_id }))
        end
        local task = require_task(prefix, task_id)
        local key = key_of.task(prefix, task_id)
        local children = redis.call('SCARD', key .. '/children')
        if children > 0 then
            refuse('CONFLICT', 'task ' .. task_id .. ' has ' .. children .. ' subtask(s); delete or move them first')
        end
        for _, session_id in ipairs(task_links.session_ids(task_links.read(prefix, task_id))) do
            redis.call('LREM', key_of.session(prefix, session_id) .. '/tasks', 0, task_id)
            redis.call('DEL', key_of.progress(prefix, task_id, session_id))
            unwatch_progress(prefix, task_id, session_id)
        end
        if task.parentId then redis.call('SREM', key_of.task(prefix, task.parentId) .. '/children', task_id) end
        redis.call('DEL', key, key .. '/children', key_of.history(prefix, task_id))
        redis.call('ZREM', prefix .. 'tasks/' .. task.status, task_id)
        local event_id = emit(keys, args, 'task:deleted', json.object('taskId', json.string(task_id)))
        return json.object('taskId', json.string(task_id), 'eventIds', json.strings({ event_id }))
    end)
end

-- ARGV: version, idempotency key, max stream length, taskId, sessionId. A user unlinks a session from a task.
local function remove_session(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    return once(prefix, 'remove_session', args, function()
        local task_id, session_id = args[4], args[5]
        check_id(task_id, 'task id')
        check_id(session_id, 'session id')
        local task = require_task(prefix, task_id)
        if redis.call('EXISTS', key_of.progress(prefix, task_id, session_id)) == 0 then
            refuse('NOT_FOUND', 'session ' .. session_id .. ' is not linked to task ' .. task_id)
        end
        redis.call('DEL', key_of.progress(prefix, task_id, session_id))
        unwatch_progress(prefix, task_id, session_id)
        task_links.set(prefix, task_id, session_id, nil)
        redis.call('LREM', key_of.session(prefix, session_id) .. '/tasks', 0, task_id)
        local now = now_iso()
        touch_task(prefix, task, now)
        record_history(prefix, task_id, now, 'user', 'removed', { { 'sessionId', json.string(session_id) } })
        local body = task_json(prefix, task)
        local event_id = emit(keys, args, 'task:updated', json.object('task', body))
        return json.object('task', body, 'eventIds', json.strings({ event_id }))
    end)
end

-- ARGV: version, taskId. Read-only. An archived task is shown too, with "archived":true.
local function get_task(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    check_id(args[2], 'task id')
    local task = load_task(prefix, args[2])
    if task then return task_json(prefix, task, true) end
    return archived_task_json(prefix, args[2]) or require_task(prefix, args[2])
end

-- ARGV: version, statuses (comma-separated, '' for all, 'archived' for the archive: summaries only), offset, limit,
-- view ('full', the default, or 'summary'). Read-only. Returns, in creation order, {"tasks":[...],"total":N,
-- "cursor":"<stream id>"}; the summary view returns its parts for the server to lay out: {total, cursor,
-- 1 for the archive or 0, {fields of each task (see task_summary_fields)}}. The snapshot is consistent with every
-- event up to and including `cursor`.
local function list_tasks(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    local offset = check_count(args[3], 'offset')
    local limit = check_page_limit(args[4])
    local view = args[5] or 'full'
    check_one_of(view, { 'full', 'summary' }, 'view')
    local sets = {}
    if args[2] == 'archived' then
        if view ~= 'summary' then refuse('INVALID_INPUT', 'archived tasks are listed as summaries (view summary)') end
        sets[1] = prefix .. 'archive'
    elseif args[2] == '' then
        sets = status_sets(prefix)
    else
        local seen = {}
        for status in string.gmatch(args[2], '[^,]+') do
            check_one_of(status, TASK_STATUSES, 'task status')
            if seen[status] then refuse('INVALID_INPUT', 'task status ' .. status .. ' is listed twice') end
            seen[status] = true
            sets[#sets + 1] = prefix .. 'tasks/' .. status
        end
    end
    local ids, total = union_page(sets, offset, limit)
    local tasks = {}
    if view == 'summary' then
        local archived = args[2] == 'archived'
        local summary_fields = archived and archived_summary_fields or task_summary_fields
        for i, task_id in ipairs(ids) do tasks[i] = summary_fields(prefix, task_id) end
        return { total, stream_cursor(keys), archived and 1 or 0, tasks }
    end
    for i, task_id in ipairs(ids) do tasks[i] = loaded_task_json(prefix, load_task(prefix, task_id)) end
    return page_json(keys, 'tasks', tasks, total)
end
