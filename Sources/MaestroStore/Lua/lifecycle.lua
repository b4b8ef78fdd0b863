-- Session lifecycle changes (spec §4.3), shared by the user's stop and restart, the supervisor's reports and the
-- lease sweep. Callers check who may ask and the state machine first.

local LIFECYCLE_EVENTS = { active = 'session:active', stopped = 'session:stopped', failed = 'session:failed' }

-- Moves a loaded session to `target`: status and time; the error for `failed` (`reason`, or 'unknown error'),
-- none after a restart or start; the agent's pid for `active` (when given). Emits session:spawn for a restart,
-- else the target's event (with the session's new updatedAt, so clients can order it against API replies).
-- Returns the event id.
local function change_lifecycle(keys, args, prefix, session, target, reason, pid)
    local key = key_of.session(prefix, session.id)
    session.status = target
    session.updatedAt = now_iso()
    redis.call('HSET', key, 'status', target, 'updatedAt', session.updatedAt)
    if target == 'failed' then
        session.error = (reason ~= nil and reason ~= '') and reason or 'unknown error'
        redis.call('HSET', key, 'error', session.error)
    else
        session.error = nil
        redis.call('HDEL', key, 'error')
    end
    if target == 'active' and pid ~= nil and pid ~= '' then
        session.pid = pid
        redis.call('HSET', key, 'pid', pid)
    end
    if target == 'spawning' then
        return emit(keys, args, 'session:spawn', json.object(
            'session', session_json(prefix, session),
            'taskIds', json.strings(redis.call('LRANGE', key .. '/tasks', 0, -1)),
            'spawnSource', json.string(session.spawnSource)
        ))
    end
    return emit(keys, args, LIFECYCLE_EVENTS[target], json.object(
        'sessionId', json.string(session.id),
        'error', target == 'failed' and json.string(session.error) or nil,
        'updatedAt', json.string(session.updatedAt)
    ))
end
