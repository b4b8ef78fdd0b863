-- Supervision: the `maestro run` supervisor claims a session, proves it alive with a lease, reports the agent
-- process's lifecycle, and is told of stops and restarts; a sweep fails sessions whose lease ran out.
--
--   <prefix>leases                      zset  supervised session ids, scored by lease expiry (ms, Redis clock)
--   <prefix>heartbeat-due               zset  the same ids, scored by when a missing heartbeat makes the session
--                                             unresponsive: half the TTL after the last one (the supervisor beats
--                                             every third of the TTL; the session fails when the whole TTL passed)
--   <prefix>session:<id>/control        channel  wake-ups for the session's supervisor (stop, restart)
--   session hash fields: supervisor (the claiming process's random id), host, pid, lastHeartbeat,
--   unresponsiveSince (set by the sweep while the heartbeat is late, removed by the next heartbeat)

local HEARTBEAT_LOST = 'heartbeat lost'
local MAX_LEASE_SECONDS = 3600

local function control_channel(prefix, session_id) return key_of.session(prefix, session_id) .. '/control' end

-- Tells a session's supervisor, if any, to look at the session again (its status is the instruction).
local function wake_supervisor(prefix, session_id, command)
    redis.call('SPUBLISH', control_channel(prefix, session_id), command)
end

local function check_lease_seconds(value)
    local seconds = tonumber(value)
    if seconds == nil or seconds ~= math.floor(seconds) or seconds < 1 or seconds > MAX_LEASE_SECONDS then
        refuse('INVALID_INPUT', 'a heartbeat TTL must be a whole number of seconds from 1 to ' .. MAX_LEASE_SECONDS)
    end
    return seconds
end

local function check_supervisor_id(value)
    if value == nil or string.find(value, '^[%w_%-]+$') == nil or #value < 8 or #value > 64 then
        refuse('INVALID_INPUT', 'a supervisor id must be 8-64 letters, digits, _ or -')
    end
end

-- The session, if `supervisor` holds it; refuses with why not otherwise (lost lease, taken over).
local function require_supervisor(prefix, session_id, token, supervisor)
    local session = require_session_token(prefix, session_id, token)
    check_supervisor_id(supervisor)
    if session.supervisor == supervisor then return session end
    if session.error == HEARTBEAT_LOST and session.status == 'failed' then
        refuse('CONFLICT', 'session ' .. session_id .. ' was declared failed because its heartbeat was lost (at ' ..
            session.updatedAt .. '); this supervisor may not continue it. Restart the session and run ' ..
            "'maestro run --session " .. session_id .. "' to take it over", session.status)
    end
    refuse('CONFLICT', 'session ' .. session_id .. ' is not supervised by this process (another supervisor took ' ..
        'it over, or its lease ran out); this supervisor may not continue it', session.status)
end

local function renew_lease(prefix, session_id, seconds, now)
    redis.call('ZADD', prefix .. 'leases', now + seconds * 1000, session_id)
    redis.call('ZADD', prefix .. 'heartbeat-due', now + seconds * 500, session_id)
end

-- Forgets a session's lease: its supervisor let go, or the lease ran out.
local function drop_lease(prefix, session_id)
    redis.call('ZREM', prefix .. 'leases', session_id)
    redis.call('ZREM', prefix .. 'heartbeat-due', session_id)
    redis.call('HDEL', key_of.session(prefix, session_id), 'supervisor', 'unresponsiveSince')
end

-- ARGV: version, idempotency key (unused), max stream length, sessionId, token, supervisorId, ttl seconds,
-- host ('' none).
-- Takes a spawning session over (fresh, or restarted). Refused while another supervisor holds a live lease.
local function claim_session(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    local session_id, token, supervisor, ttl, host = args[4], args[5], args[6], args[7], args[8] or ''
    check_id(session_id, 'session id')
    local session = require_session_token(prefix, session_id, token)
    check_supervisor_id(supervisor)
    local seconds = check_lease_seconds(ttl)
    if host ~= '' then check_name(host) end
    if session.status ~= 'spawning' then
        refuse('INVALID_TRANSITION', 'session ' .. session_id .. ' is ' .. session.status ..
            '; only a spawning session can be taken over (restart it first)', session.status, { 'spawning' })
    end
    local now = now_millis()
    local expiry = redis.call('ZSCORE', prefix .. 'leases', session_id)
    if session.supervisor and session.supervisor ~= supervisor and expiry and tonumber(expiry) > now then
        refuse('CONFLICT', 'session ' .. session_id .. ' is already supervised' ..
            (session.host and (' on ' .. session.host) or '') .. '; its lease is live', session.status)
    end
    local key = key_of.session(prefix, session_id)
    local stamp = now_iso()
    redis.call('HSET', key, 'supervisor', supervisor, 'lastHeartbeat', stamp)
    if host ~= '' then redis.call('HSET', key, 'host', host) end
    renew_lease(prefix, session_id, seconds, now)
    return session_json(prefix, load_session(prefix, session_id))
end

-- ARGV: version, idempotency key (unused), max stream length, sessionId, token, supervisorId, ttl seconds.
-- Renews the lease and returns the session, whose status tells the supervisor what to do (stopped: stop the
-- agent; spawning: start it again).
local function heartbeat(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    check_id(args[4], 'session id')
    local seconds = check_lease_seconds(args[7])
    local session = require_supervisor(prefix, args[4], args[5], args[6])
    local now = now_millis()
    session.lastHeartbeat = now_iso()
    redis.call('HSET', key_of.session(prefix, session.id), 'lastHeartbeat', session.lastHeartbeat)
    renew_lease(prefix, session.id, seconds, now)
    if session.unresponsiveSince then
        session.unresponsiveSince = nil
        redis.call('HDEL', key_of.session(prefix, session.id), 'unresponsiveSince')
        emit(keys, args, 'session:responsive', json.object(
            'sessionId', json.plain(session.id),
            'lastHeartbeat', json.plain(session.lastHeartbeat)
        ))
    end
    return session_json(prefix, session)
end

-- ARGV: version, idempotency key, max stream length, sessionId, token, supervisorId, target, error ('' none),
-- pid ('' none). The supervisor's report of the agent process: active (started, with its pid), stopped (exited
-- normally), failed (could not start, non-zero exit, signal).
local function report_lifecycle(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    local session_id = args[4]
    check_id(session_id, 'session id')
    -- Credentials before the idempotency record: a replayed key proves nothing about who sends it.
    require_supervisor(prefix, session_id, args[5], args[6])
    return once(prefix, 'report_lifecycle/' .. session_id, args, function()
        local target, reason, pid = args[7], args[8] or '', args[9] or ''
        check_one_of(target, { 'active', 'stopped', 'failed' }, 'reported lifecycle status')
        check_text(reason, 'an error', MAX_NOTES_BYTES)
        if pid ~= '' and string.find(pid, '^%d+$') == nil then refuse('INVALID_INPUT', 'a pid must be a number') end
        local session = require_supervisor(prefix, session_id, args[5], args[6])
        check_transition(LIFECYCLE_TARGETS, 'the lifecycle of session ' .. session_id, session.status, target)
        local event_id = change_lifecycle(keys, args, prefix, session, target, reason, pid)
        return json.object('session', session_json(prefix, session), 'eventIds', json.strings({ event_id }))
    end)
end

-- ARGV: version, idempotency key (unused), max stream length, sessionId, token, supervisorId.
-- The supervisor lets go as it exits: no lease any more.
local function release_session(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    check_id(args[4], 'session id')
    local session = require_supervisor(prefix, args[4], args[5], args[6])
    drop_lease(prefix, session.id)
    return 'OK'
end

-- Marks the supervised sessions whose heartbeat is late (one session:unresponsive {sessionId, unresponsiveSince}
-- each, once: the next heartbeat clears it with session:responsive).
local function mark_unresponsive(keys, args, prefix, now)
    local late = redis.call('ZRANGEBYSCORE', prefix .. 'heartbeat-due', '-inf', now, 'WITHSCORES')
    for i = 1, #late, 2 do
        local session_id = late[i]
        redis.call('ZREM', prefix .. 'heartbeat-due', session_id)
        local status = redis.call('HGET', key_of.session(prefix, session_id), 'status')
        if status == 'active' or status == 'spawning' then
            local since = iso_of_millis(tonumber(late[i + 1]))
            redis.call('HSET', key_of.session(prefix, session_id), 'unresponsiveSince', since)
            emit(keys, args, 'session:unresponsive', json.object(
                'sessionId', json.plain(session_id),
                'unresponsiveSince', json.plain(since)
            ))
        end
    end
end

-- ARGV: version, idempotency key (unused), max stream length. Marks sessions whose heartbeat is late as
-- unresponsive, fails every running session whose lease has run out (error "heartbeat lost", one session:failed
-- each) and forgets expired leases. Atomic, so several servers may sweep at once and each change is reported exactly
-- once. Returns the ids of the sessions it failed.
local function sweep_leases(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    local now = now_millis()
    mark_unresponsive(keys, args, prefix, now)
    local expired = redis.call('ZRANGEBYSCORE', prefix .. 'leases', '-inf', now)
    local failed = {}
    for _, session_id in ipairs(expired) do
        local session = load_session(prefix, session_id)
        drop_lease(prefix, session_id)
        if session ~= nil then
            if session.status == 'active' or session.status == 'spawning' then
                change_lifecycle(keys, args, prefix, session, 'failed', HEARTBEAT_LOST)
                failed[#failed + 1] = session_id
            end
        end
    end
    return json.strings(failed)
end
