-- A task's links to its sessions, kept in the task's own hash so a list of tasks reads one key per task:
--   <prefix>task:<id> field links   "<sessionId>=<status>[@<staleSince>],..." in join order; absent when no session
--                                   is linked. It mirrors each progress entry's status and staleSince (the entry's
--                                   hash holds the rest); ids, statuses and timestamps hold no '=', ',' or '@'.
-- Every write to a progress entry's status or staleSince, and every link or unlink, goes through task_links.set.

local task_links = {}

-- The links of a task as {sessionId, status, staleSince (nil when not stale)}, from the field's text (nil: none).
function task_links.parse(text)
    local parsed = {}
    if text then
        for session_id, status, stale_since in string.gmatch(text, '([^,=]+)=([^,@]+)@?([^,]*)') do
            parsed[#parsed + 1] = { session_id, status, stale_since ~= '' and stale_since or nil }
        end
    end
    return parsed
end

function task_links.read(prefix, task_id)
    return task_links.parse(redis.call('HGET', key_of.task(prefix, task_id), 'links'))
end

-- Stores the links (none: the field goes).
function task_links.write(prefix, task_id, parsed)
    if #parsed == 0 then return redis.call('HDEL', key_of.task(prefix, task_id), 'links') end
    local items = {}
    for i, link in ipairs(parsed) do
        items[i] = link[1] .. '=' .. link[2] .. (link[3] and ('@' .. link[3]) or '')
    end
    redis.call('HSET', key_of.task(prefix, task_id), 'links', table.concat(items, ','))
end

-- Sets one session's link: its status and staleSince (nil: not stale), appended when the session is new to the
-- task; `status` nil unlinks it. A link that already says so is not written again (a repeated report).
function task_links.set(prefix, task_id, session_id, status, stale_since)
    local parsed = task_links.read(prefix, task_id)
    local position = #parsed + 1
    for i, link in ipairs(parsed) do
        if link[1] == session_id then position = i end
    end
    local current = parsed[position]
    if status == nil then
        if current == nil then return end
        table.remove(parsed, position)
    elseif current and current[2] == status and current[3] == stale_since then
        return
    else
        parsed[position] = { session_id, status, stale_since }
    end
    task_links.write(prefix, task_id, parsed)
end

-- The statuses in the field's text, in join order.
function task_links.statuses(text)
    local statuses = {}
    for status in string.gmatch(text or '', '=([^,@]+)') do statuses[#statuses + 1] = status end
    return statuses
end

-- The summary's progress array from the field's text, `[{"sessionId","status","staleSince"?}...]`, made by
-- substitutions and no table (the second only when a link is stale): a page holds a thousand of them.
function task_links.summary_json(text)
    if not text then return '[]' end
    local entries = string.gsub(text, '([^,=]+)=([^,]+)', '{"sessionId":"%1","status":"%2"}')
    if string.find(text, '@', 1, true) then entries = string.gsub(entries, '@([^"]*)"', '","staleSince":"%1"') end
    return '[' .. entries .. ']'
end

-- The linked session ids, in join order.
function task_links.session_ids(parsed)
    local ids = {}
    for i, link in ipairs(parsed) do ids[i] = link[1] end
    return ids
end
