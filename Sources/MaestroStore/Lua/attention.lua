-- Attention: what needs a person without anyone saying so.
--   <prefix>stale-due   zset   "<taskId> <sessionId>" of every progress entry in queued or working, scored by its
--                              last report (ms): past the project's staleAfterSeconds it is stale (stale.lua)
--   <prefix>stale       zset   "<taskId> <sessionId>" of the entries that are stale now, scored by when they became so
--   progress hash field staleSince: when the entry became stale; the next report removes it

local WATCHED_STATUSES = { queued = true, working = true }
local FINAL_STATUSES = { completed = true, failed = true, cancelled = true }

function key_of.stale_due(prefix) return prefix .. 'stale-due' end
function key_of.stale(prefix) return prefix .. 'stale' end

-- Keeps the stale watch of one progress entry in step with its status, written just now: it is not stale (any
-- report ends staleness); in queued or working it is watched from `millis` (its last report, ms since 1970).
local function watch_progress(prefix, task_id, session_id, status, millis)
    local member = task_id .. ' ' .. session_id
    redis.call('ZREM', key_of.stale(prefix), member)
    if WATCHED_STATUSES[status] then
        redis.call('ZADD', key_of.stale_due(prefix), millis, member)
    else
        redis.call('ZREM', key_of.stale_due(prefix), member)
    end
end

local function unwatch_progress(prefix, task_id, session_id)
    redis.call('ZREM', key_of.stale_due(prefix), task_id .. ' ' .. session_id)
    redis.call('ZREM', key_of.stale(prefix), task_id .. ' ' .. session_id)
end

-- What a person may want to set an inprogress task to once every session on it has finished (spec §4.1: offered,
-- never applied by itself): completed when at least one session completed, todo — another attempt — when all
-- failed or were cancelled; nil otherwise.
local function suggested_status(task_status, session_statuses)
    if task_status ~= 'inprogress' or #session_statuses == 0 then return nil end
    local any_completed = false
    for _, status in ipairs(session_statuses) do
        if not FINAL_STATUSES[status] then return nil end
        any_completed = any_completed or status == 'completed'
    end
    return any_completed and 'completed' or 'todo'
end
