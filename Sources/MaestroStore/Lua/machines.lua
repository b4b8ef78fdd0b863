-- The three state machines; the same tables as MaestroDomain's TaskStatusTransition,
-- ProgressTransition and LifecycleTransition (the store tests check every pair against both).

local TASK_STATUSES = { 'todo', 'inprogress', 'completed', 'cancelled' }
local PRIORITIES = { 'low', 'medium', 'high', 'urgent' }
local SESSION_STATUSES = { 'queued', 'working', 'needs_input', 'blocked', 'completed', 'failed', 'cancelled' }
local LIFECYCLES = { 'spawning', 'active', 'stopped', 'failed' }
local SPAWN_SOURCES = { 'ui', 'session' }

local TASK_TARGETS = {
    todo = { 'inprogress', 'completed', 'cancelled' },
    inprogress = { 'completed', 'todo', 'cancelled' },
    completed = { 'inprogress' },
    cancelled = { 'todo' },
}

-- From no entry, the only way in is queueing; repeating the current status is always allowed.
local PROGRESS_TARGETS = {
    none = { 'queued' },
    queued = { 'working', 'cancelled' },
    working = { 'completed', 'blocked', 'needs_input', 'failed', 'cancelled' },
    blocked = { 'working', 'cancelled' },
    needs_input = { 'working', 'cancelled' },
    failed = { 'working', 'cancelled' },
    completed = { 'cancelled' },
    cancelled = {},
}

local LIFECYCLE_TARGETS = {
    none = { 'spawning' },
    spawning = { 'active', 'failed' },
    active = { 'stopped', 'failed' },
    stopped = { 'spawning' },
    failed = { 'spawning' },
}

-- What a user may ask of a session's lifecycle (spec §3): stop a running one, restart a finished one.
local USER_LIFECYCLE_TARGETS = {
    spawning = {},
    active = { 'stopped' },
    stopped = { 'spawning' },
    failed = { 'spawning' },
}

local function contains(list, value)
    for _, item in ipairs(list) do
        if item == value then return true end
    end
    return false
end

-- Refuses `from -> to` unless the table allows it; `what` names the machine in the message.
local function check_transition(targets, what, from, to, extra_allowed)
    local allowed = targets[from]
    if contains(allowed, to) or (extra_allowed ~= nil and to == extra_allowed) then return end
    local shown = {}
    for i, target in ipairs(allowed) do shown[i] = target end
    if extra_allowed ~= nil then shown[#shown + 1] = extra_allowed end
    local targets_text = #shown == 0 and 'none' or table.concat(shown, ', ')
    refuse('INVALID_TRANSITION', 'cannot change ' .. what .. ' from ' .. from .. ' to ' .. to ..
        '; allowed from ' .. from .. ': ' .. targets_text, from, shown)
end
