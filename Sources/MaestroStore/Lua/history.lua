-- Task history: who changed what on a task, and when; capped per task by the same calls that make the changes.
--   <prefix>task:<id>/history   string   JSON entries {at, actor, action, ...}, one per line, oldest first
-- One string rather than a list: for the one or two entries most tasks have, a list's own structures would cost
-- more than the entries. (A list written by an older version is read, and converted at its next change.)

local HISTORY_LIMIT = 100

local function history_key(prefix, task_id) return prefix .. 'task:' .. task_id .. '/history' end

-- The stored entries, oldest first.
local function history_entries(key)
    local stored = redis.pcall('GET', key)
    if type(stored) == 'table' and stored.err then
        local entries = redis.call('LRANGE', key, 0, -1) -- an older version's list, newest first
        local oldest_first = {}
        for i = #entries, 1, -1 do oldest_first[#oldest_first + 1] = entries[i] end
        return oldest_first
    end
    local entries = {}
    if stored then
        for line in string.gmatch(stored, '[^\n]+') do entries[#entries + 1] = line end
    end
    return entries
end

-- `actor` is 'user', 'system' or 'session:<id>'; `details` a list of {name, encoded value} pairs
-- (from, to, sessionId, notes, fields). JSON never holds a raw line break, so a line is an entry.
local function record_history(prefix, task_id, at, actor, action, details)
    local fields = { { 'at', json_plain(at) }, { 'actor', json_string(actor) }, { 'action', json_plain(action) } }
    for _, field in ipairs(details or {}) do fields[#fields + 1] = field end
    local key = history_key(prefix, task_id)
    local entries = history_entries(key)
    entries[#entries + 1] = json_object(fields)
    local first = math.max(1, #entries - HISTORY_LIMIT + 1)
    redis.call('SET', key, table.concat(entries, '\n', first))
end

-- ARGV: version, taskId. Read-only: the task's history, newest first. Its creation is not stored (the task's
-- createdAt tells it, and a task never changed then needs no history key at all): it is added here, as the oldest
-- entry, while the history has not outgrown its cap.
local function task_history(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    check_id(args[2], 'task id')
    local created_at = redis.call('HGET', prefix .. 'task:' .. args[2], 'createdAt')
    if not created_at then refuse('NOT_FOUND', 'task ' .. args[2] .. ' does not exist in this project') end
    local stored = history_entries(history_key(prefix, args[2]))
    local entries = {}
    for i = #stored, 1, -1 do entries[#entries + 1] = stored[i] end
    if #entries < HISTORY_LIMIT then
        entries[#entries + 1] = json_object({
            { 'at', json_plain(created_at) }, { 'actor', '"user"' }, { 'action', '"created"' },
        })
    end
    return json_object({ { 'taskId', json_string(args[2]) }, { 'history', json_array(entries) } })
end
