-- A session's own progress on tasks: queueing, and reporting its status.

-- ARGV: version, idempotency key, max stream length, sessionId, session token, taskId...
-- Links the tasks to the session as queued; a task already linked is left as it is.
local function queue_tasks(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    local session_id, token = args[4], args[5]
    check_id(session_id, 'session id')
    -- The token before the idempotency record: a replayed key proves nothing about who sends it.
    require_reporting_session(prefix, session_id, token)
    return once(prefix, 'queue_tasks/' .. session_id, args, function()
        if #args < 6 then refuse('INVALID_INPUT', 'name at least one task to queue') end
        local tasks = queueable_tasks(prefix, args, 6)
        local now = now_iso()
        local results = {}
        local event_ids = {}
        for i, task in ipairs(tasks) do
            local queued = redis.call('EXISTS', key_of.progress(prefix, task.id, session_id)) == 0
            if queued then
                local actor = 'session:' .. session_id
                event_ids[#event_ids + 1] = link_queued(keys, args, prefix, task, session_id, now, actor)
            end
            local status = redis.call('HGET', key_of.progress(prefix, task.id, session_id), 'status')
            results[i] = json.object(
                'taskId', json.string(task.id),
                'queued', tostring(queued),
                'status', json.string(status),
                'version', task.version
            )
        end
        return json.object('tasks', json.array(results), 'eventIds', json.strings(event_ids))
    end)
end

-- update_progress's reply from its arguments and what the call added: "<lastUpdated> <previousStatus> <taskStatus>
-- <version> <eventId>[,<eventId>]" (none of them holds a space).
local function progress_reply(args, compact)
    local last_updated, previous, task_status, version, event_ids =
        string.match(compact, '^(%S+) (%S+) (%S+) (%S+) (%S+)$')
    local ids = {}
    for id in string.gmatch(event_ids, '[^,]+') do ids[#ids + 1] = json.plain(id) end
    return json.object(
        'taskId', json.plain(args[4]),
        'sessionId', json.plain(args[5]),
        'status', json.plain(args[7]),
        'notes', (args[8] or '') == '' and 'null' or json.string(args[8]),
        'lastUpdated', json.plain(last_updated),
        'previousStatus', json.plain(previous),
        'taskStatus', json.plain(task_status),
        'version', version,
        'eventIds', json.array(ids)
    )
end

-- ARGV: version, idempotency key, max stream length, taskId, sessionId, session token, status, notes ('' none).
-- Checks the progress state machine; `working` on a `todo` task also moves the task to `inprogress`,
-- in this same call. Returns the new entry, the task's version and status, and the event ids.
local function update_progress(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    local session_id = args[5]
    check_id(session_id, 'session id')
    -- The token before the idempotency record: a replayed key proves nothing about who sends it.
    require_reporting_session(prefix, session_id, args[6])
    return once_compact(prefix, 'update_progress/' .. session_id, args, function()
        local task_id, status, notes = args[4], args[7], args[8] or ''
        check_id(task_id, 'task id')
        check_one_of(status, SESSION_STATUSES, 'session status')
        check_text(notes, 'notes', MAX_NOTES_BYTES)
        local task = require_task(prefix, task_id)
        local key = key_of.progress(prefix, task_id, session_id)
        local current, asked = unpack(redis.call('HMGET', key, 'status', 'notes'))
        if not current then
            refuse('INVALID_TRANSITION', 'session ' .. session_id .. ' has not queued task ' .. task_id ..
                '; queue it first (maestro task queue ' .. task_id .. ')', 'none', { 'queued' })
        end
        check_transition(PROGRESS_TARGETS, 'the status of session ' .. session_id .. ' on task ' .. task_id,
            current, status, current)
        local now = now_iso()
        -- A report ends staleness.
        if notes == '' then
            redis.call('HSET', key, 'status', status, 'lastUpdated', now)
            redis.call('HDEL', key, 'notes', 'staleSince')
        else
            redis.call('HSET', key, 'status', status, 'lastUpdated', now, 'notes', notes)
            redis.call('HDEL', key, 'staleSince')
        end
        task_links.set(prefix, task_id, session_id, status)
        watch_progress(prefix, task_id, session_id, status, millis_of_iso(now))
        -- A new question wants a new answer; asking the same question again keeps an answer given to it.
        if status == 'needs_input' and not (current == 'needs_input' and asked == (notes ~= '' and notes or false))
        then
            redis.call('HDEL', key, 'answer', 'answeredAt')
        end
        local version = touch_task(prefix, task, now)
        record_history(prefix, task_id, now, 'session:' .. session_id, 'progress', {
            { 'sessionId', json.string(session_id) }, { 'from', json.string(current) }, { 'to', json.string(status) },
            { 'notes', notes ~= '' and json.string(notes) or nil },
        })
        local notes_json = notes == '' and 'null' or json.string(notes)
        local suggestion = suggested_status(task.status, session_statuses(prefix, task_id))
        local event_ids = { emit(keys, args, 'task:session_status', json.object(
            'taskId', json.string(task_id),
            'sessionId', json.string(session_id),
            'status', json.string(status),
            'notes', notes_json,
            'lastUpdated', json.string(now),
            'version', version,
            'suggestedStatus', suggestion and json.plain(suggestion) or 'null'
        )) }
        -- Only a session newly starting work starts a todo task: a repeated `working` leaves a user's move back
        -- to To Do standing.
        if status == 'working' and current ~= 'working' and task.status == 'todo' then
            move_status(prefix, task_id, 'todo', 'inprogress')
            redis.call('HSET', key_of.task(prefix, task_id), 'status', 'inprogress')
            task.status = 'inprogress'
            version = touch_task(prefix, task, now)
            record_history(prefix, task_id, now, 'system', 'status', {
                { 'from', '"todo"' }, { 'to', '"inprogress"' }, { 'sessionId', json.string(session_id) },
            })
            event_ids[2] = emit(keys, args, 'task:updated', json.object('task', task_json(prefix, task)))
        end
        return table.concat({ now, current, task.status, version, table.concat(event_ids, ',') }, ' ')
    end, function(compact) return progress_reply(args, compact) end)
end

-- ARGV: version, idempotency key, max stream length, taskId, sessionId, answer. A user answers the question a
-- session asked with needs_input: stored on that progress entry (the session's status does not change), the task
-- bumped, and task:input_answer emitted. Refused unless the entry is needs_input.
local function answer_input(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    return once(prefix, 'answer_input', args, function()
        local task_id, session_id, answer = args[4], args[5], args[6] or ''
        check_id(task_id, 'task id')
        check_id(session_id, 'session id')
        check_text(answer, 'an answer', MAX_DESCRIPTION_BYTES)
        if answer == '' then refuse('INVALID_INPUT', 'an answer must not be empty') end
        local task = require_task(prefix, task_id)
        local key = key_of.progress(prefix, task_id, session_id)
        local current = redis.call('HGET', key, 'status')
        if not current then refuse('NOT_FOUND', 'session ' .. session_id .. ' is not linked to task ' .. task_id) end
        if current ~= 'needs_input' then
            refuse('INVALID_TRANSITION', 'session ' .. session_id .. ' is ' .. current .. ' on task ' .. task_id ..
                ' and asked nothing; only a needs_input question can be answered', current, {})
        end
        local now = now_iso()
        redis.call('HSET', key, 'answer', answer, 'answeredAt', now)
        local version = touch_task(prefix, task, now)
        record_history(prefix, task_id, now, 'user', 'answer', { { 'sessionId', json.string(session_id) } })
        local body = json.object(
            'taskId', json.string(task_id),
            'sessionId', json.string(session_id),
            'answer', json.string(answer),
            'answeredAt', json.string(now),
            'version', version
        )
        local event_id = emit(keys, args, 'task:input_answer', body)
        return json.object('answer', body, 'eventIds', json.strings({ event_id }))
    end)
end
