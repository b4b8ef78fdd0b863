-- Reads for `maestro export`: whole records with what single reads add (extra data), sessions with their
-- token's SHA-1 (so an imported session keeps working with its token), the project record; page by page.

local function project_json(project)
    return json.object(
        'id', json.string(project.id),
        'name', json.string(project.name),
        'description', project.description and json.string(project.description),
        'createdAt', json.string(project.createdAt),
        'updatedAt', json.string(project.updatedAt),
        'extra', project.extra
    )
end

-- ARGV: version. Read-only. {"project": {...} or null, "cursor"}.
local function get_project(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    local project = hash_to_table(redis.call('HGETALL', prefix .. 'project'))
    return json.object(
        'project', project.id and project_json(project) or 'null',
        'cursor', json.string(stream_cursor(keys))
    )
end

-- The ids of one page of a creation-ordered zset, and its size.
local function page_of(key, args)
    local offset = check_count(args[2], 'offset')
    local limit = check_page_limit(args[3])
    local ids = limit == 0 and {} or redis.call('ZRANGE', key, offset, offset + limit - 1)
    return ids, redis.call('ZCARD', key)
end

-- ARGV: version, offset, limit. Read-only. {"tasks":[...with extra],"total":N,"cursor"} in creation order, archived
-- tasks included (with "archived":true).
local function export_tasks(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    local sets = status_sets(prefix)
    sets[#sets + 1] = prefix .. 'archive'
    local ids, total = union_page(sets, check_count(args[2], 'offset'), check_page_limit(args[3]))
    local tasks = {}
    for i, task_id in ipairs(ids) do
        local task = load_task(prefix, task_id)
        tasks[i] = task and loaded_task_json(prefix, task, true) or archived_task_json(prefix, task_id)
    end
    return page_json(keys, 'tasks', tasks, total)
end

-- ARGV: version, offset, limit. Read-only. {"sessions":[{"session":{...with extra},"tokenHash"}],"total",
-- "cursor"} in creation order.
local function export_sessions(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    local ids, total = page_of(prefix .. 'sessions', args)
    local sessions = {}
    for i, session_id in ipairs(ids) do
        local session = load_session(prefix, session_id)
        sessions[i] = json.object(
            'session', session_json(prefix, session, true),
            'tokenHash', session.tokenHash and json.string(session.tokenHash)
        )
    end
    return page_json(keys, 'sessions', sessions, total)
end
