-- Task history: who changed what on a task, and when; newest first, capped per task by the same calls that
-- make the changes.
--   <prefix>task:<id>/history   list   JSON entries {at, actor, action, ...}, newest first
-- A task's creation is not stored (its createdAt tells it): a task nobody changed has no history key at all.

local HISTORY_LIMIT = 100

function key_of.history(prefix, task_id) return prefix .. 'task:' .. task_id .. '/history' end

-- `actor` is 'user', 'system' or 'session:<id>'; `details` a list of {name, encoded value} pairs
-- (from, to, sessionId, notes, fields). A list: appending costs the same whatever the history holds.
local function record_history(prefix, task_id, at, actor, action, details)
    local fields = { 'at', json.plain(at), 'actor', json.string(actor), 'action', json.plain(action) }
    details = details or {}
    for i, field in ipairs(details) do fields[5 + 2 * i], fields[6 + 2 * i] = field[1], field[2] end
    local key = key_of.history(prefix, task_id)
    redis.call('LPUSH', key, json.object(unpack(fields, 1, 6 + 2 * #details)))
    redis.call('LTRIM', key, 0, HISTORY_LIMIT - 1)
end

-- The stored entries, newest first.
local function history_entries(key) return redis.call('LRANGE', key, 0, -1) end

-- ARGV: version, taskId. Read-only: the task's history, newest first, ending with its creation (added here from
-- createdAt while the history has not outgrown its cap).
local function task_history(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    check_id(args[2], 'task id')
    local created_at = redis.call('HGET', prefix .. 'task:' .. args[2], 'createdAt')
    if not created_at then refuse('NOT_FOUND', 'task ' .. args[2] .. ' does not exist in this project') end
    local entries = history_entries(key_of.history(prefix, args[2]))
    if #entries < HISTORY_LIMIT then
        entries[#entries + 1] = json.object(
            'at', json.plain(created_at), 'actor', '"user"', 'action', '"created"'
        )
    end
    return json.object('taskId', json.string(args[2]), 'history', json.array(entries))
end
