-- Sessions: spawning, lifecycle changes, reads.

local SPAWN_TOKEN_ARGUMENT = 5

local function check_token(token)
    if token == nil or #token < 16 or #token > 256 or string.find(token, '^[%w_%-]+$') == nil then
        refuse('INVALID_INPUT', 'a session token must be 16-256 letters, digits, _ or -')
    end
end

-- A spawn replayed with its idempotency key: the first call's reply, and a token that works. The token is not
-- part of what the key binds (each attempt draws one, and only its hash is kept), so a retry whose first reply
-- was lost brings a new one: it replaces the old while the session is still spawning and unclaimed — nobody can
-- have used it — and is refused once a supervisor took the session over.
local function replayed_spawn(prefix, args, previous)
    local session = load_session(prefix, args[4])
    local token = args[SPAWN_TOKEN_ARGUMENT]
    if session == nil or session.tokenHash == redis.sha1hex(token) then return previous end
    check_token(token)
    if session.status ~= 'spawning' or session.supervisor then
        refuse('CONFLICT', 'session ' .. session.id .. ' was spawned by an earlier call with this idempotency key ' ..
            'and is already taken over; its token went to that call', session.status)
    end
    redis.call('HSET', key_of.session(prefix, session.id), 'tokenHash', redis.sha1hex(token))
    return previous
end

-- ARGV: version, idempotency key, max stream length, sessionId, token, name ('' none), spawnSource,
-- host ('' none), pid ('' none), taskId... Creates the session as spawning and queues it on the tasks.
local function spawn_session(keys, args)
    check_version(keys, args)
    local prefix, project = project_of(keys)
    local record = idempotency_record(prefix, 'spawn_session', args[2])
    local digest = arguments_digest(args, SPAWN_TOKEN_ARGUMENT)
    local previous = replayed_reply(record, digest)
    if previous then return replayed_spawn(prefix, args, previous) end
    local reply = (function()
        local session_id, token, name, source, host, pid = args[4], args[5], args[6], args[7], args[8], args[9]
        check_id(session_id, 'session id')
        check_token(token)
        if name ~= '' then check_name(name) end
        check_one_of(source, SPAWN_SOURCES, 'spawn source')
        if host ~= '' then check_name(host) end
        if pid ~= '' and string.find(pid, '^%d+$') == nil then refuse('INVALID_INPUT', 'a pid must be a number') end
        if redis.call('EXISTS', key_of.session(prefix, session_id)) == 1 then
            refuse('CONFLICT', 'session ' .. session_id .. ' already exists in project ' .. project)
        end
        local tasks = queueable_tasks(prefix, args, 10)
        local now = now_iso()
        local session = {
            id = session_id, status = 'spawning', projectId = project, spawnSource = source,
            createdAt = now, updatedAt = now, tokenHash = redis.sha1hex(token),
        }
        if name ~= '' then session.name = name end
        if host ~= '' then session.host = host end
        if pid ~= '' then session.pid = pid end
        local fields = {}
        for field, value in pairs(session) do
            fields[#fields + 1] = field
            fields[#fields + 1] = value
        end
        redis.call('HSET', key_of.session(prefix, session_id), unpack(fields))
        redis.call('ZADD', prefix .. 'sessions', redis.call('INCR', prefix .. 'seq'), session_id)
        local task_ids = {}
        for i, task in ipairs(tasks) do task_ids[i] = task.id end
        local event_ids = {}
        local body = session_json(prefix, session)
        event_ids[1] = emit(keys, args, 'session:spawn', json.object(
            'session', body, 'taskIds', json.strings(task_ids), 'spawnSource', json.string(source)
        ))
        for _, task in ipairs(tasks) do
            local actor = source == 'ui' and 'user' or 'session:' .. session_id
            event_ids[#event_ids + 1] = link_queued(keys, args, prefix, task, session_id, now, actor)
        end
        if #tasks > 0 then body = session_json(prefix, session) end
        return json.object('session', body, 'eventIds', json.strings(event_ids))
    end)()
    remember_reply(record, digest, reply)
    return reply
end

-- ARGV: version, idempotency key, max stream length, sessionId, target lifecycle, error ('' none), actor ('user':
-- only what a user may ask, spec §3; 'system' or absent: the lifecycle machine). `spawning` is a restart: it clears
-- the error and emits session:spawn again. Stops and restarts wake the session's supervisor, if one runs (it stops
-- or starts the agent process).
local function set_lifecycle(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    return once(prefix, 'set_lifecycle', args, function()
        local session_id, target, reason, actor = args[4], args[5], args[6] or '', args[7] or 'system'
        check_id(session_id, 'session id')
        check_one_of(target, LIFECYCLES, 'lifecycle status')
        check_text(reason, 'an error', MAX_NOTES_BYTES)
        check_one_of(actor, { 'user', 'system' }, 'actor')
        local session = require_session(prefix, session_id)
        if actor == 'user' then
            check_transition(USER_LIFECYCLE_TARGETS, 'the lifecycle of session ' .. session_id .. ' (as a user)',
                session.status, target)
        end
        check_transition(LIFECYCLE_TARGETS, 'the lifecycle of session ' .. session_id, session.status, target)
        local event_id = change_lifecycle(keys, args, prefix, session, target, reason)
        if target == 'stopped' or target == 'spawning' then
            wake_supervisor(prefix, session_id, target == 'stopped' and 'stop' or 'restart')
        end
        return json.object('session', session_json(prefix, session), 'eventIds', json.strings({ event_id }))
    end)
end

-- ARGV: version, sessionId. Read-only.
local function get_session(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    check_id(args[2], 'session id')
    return session_json(prefix, require_session(prefix, args[2]), true)
end

-- ARGV: version, sessionId, token. Read-only: 'OK' when the token is that session's, refused otherwise.
local function check_session(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    check_id(args[2], 'session id')
    require_session_token(prefix, args[2], args[3])
    return 'OK'
end

-- ARGV: version, offset, limit. Read-only; creation order; consistent with `cursor`.
local function list_sessions(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    local offset = check_count(args[2], 'offset')
    local limit = check_page_limit(args[3])
    local ids = limit == 0 and {} or redis.call('ZRANGE', prefix .. 'sessions', offset, offset + limit - 1)
    local sessions = {}
    for i, session_id in ipairs(ids) do sessions[i] = session_json(prefix, load_session(prefix, session_id)) end
    return page_json(keys, 'sessions', sessions, redis.call('ZCARD', prefix .. 'sessions'))
end
