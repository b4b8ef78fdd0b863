-- Task history: who changed what on a task, and when; newest first, capped per task by the same calls that
-- make the changes.
--   <prefix>task:<id>/history   list   JSON entries {at, actor, action, ...}, newest first

local HISTORY_LIMIT = 100

local function history_key(prefix, task_id) return prefix .. 'task:' .. task_id .. '/history' end

-- `actor` is 'user', 'system' or 'session:<id>'; `details` a list of {name, encoded value} pairs
-- (from, to, sessionId, notes, fields).
local function record_history(prefix, task_id, at, actor, action, details)
    local fields = { { 'at', json_string(at) }, { 'actor', json_string(actor) }, { 'action', json_string(action) } }
    for _, field in ipairs(details or {}) do fields[#fields + 1] = field end
    local key = history_key(prefix, task_id)
    redis.call('LPUSH', key, json_object(fields))
    redis.call('LTRIM', key, 0, HISTORY_LIMIT - 1)
end

-- ARGV: version, taskId. Read-only: the task's history, newest first.
local function task_history(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    check_id(args[2], 'task id')
    if redis.call('EXISTS', prefix .. 'task:' .. args[2]) == 0 then
        refuse('NOT_FOUND', 'task ' .. args[2] .. ' does not exist in this project')
    end
    return json_object({
        { 'taskId', json_string(args[2]) },
        { 'history', json_array(redis.call('LRANGE', history_key(prefix, args[2]), 0, -1)) },
    })
end
