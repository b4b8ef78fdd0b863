-- The fleet: each session of a project with what it is doing, for the view across projects and hosts.

-- ARGV: version, offset, limit (0-1000). Read-only. {"sessions":[{"session":{...},"progress":{"<status>":N...},
-- "stale":N,"heartbeatAgeSeconds":N or absent}],"total":N,"cursor"} in creation order: each session with its progress
-- entries counted by status, how many of them are stale, and how long ago its supervisor last beat (Redis clock).
local function fleet_sessions(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    local ids, total = page_of(prefix .. 'sessions', args)
    local now = now_millis()
    local rows = {}
    for i, session_id in ipairs(ids) do
        local session = load_session(prefix, session_id)
        local counts, order, stale = {}, {}, 0
        for _, task_id in ipairs(redis.call('LRANGE', key_of.session(prefix, session_id) .. '/tasks', 0, -1)) do
            local status, stale_since = unpack(redis.call('HMGET', key_of.progress(prefix, task_id, session_id),
                'status', 'staleSince'))
            if status then
                if counts[status] == nil then order[#order + 1] = status end
                counts[status] = (counts[status] or 0) + 1
                if stale_since then stale = stale + 1 end
            end
        end
        local progress = {}
        for _, status in ipairs(order) do
            progress[#progress + 1] = status
            progress[#progress + 1] = tostring(counts[status])
        end
        local beat = millis_of_iso(session.lastHeartbeat)
        rows[i] = json.object(
            'session', session_json(prefix, session),
            'progress', json.object(unpack(progress)),
            'stale', tostring(stale),
            'heartbeatAgeSeconds', beat and tostring(math.max(0, math.floor((now - beat) / 1000))) or nil
        )
    end
    return page_json(keys, 'sessions', rows, total)
end
