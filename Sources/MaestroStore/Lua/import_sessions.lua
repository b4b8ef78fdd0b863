-- Imports of sessions and of the project record; conventions and helpers in imports.lua.

local SESSION_FIELDS = {
    'id', 'name', 'status', 'legacyStatus', 'projectId', 'spawnSource', 'createdAt', 'updatedAt', 'error', 'host',
    'pid', 'lastHeartbeat', 'tokenHash', 'extra',
}
local COMPARED_SESSION_FIELDS = {
    'name', 'status', 'legacyStatus', 'spawnSource', 'createdAt', 'updatedAt', 'error', 'host', 'pid',
    'lastHeartbeat', 'tokenHash', 'extra',
}
local FIRST_SESSION_TASK_ARG = 19

-- The session and its task ids from ARGV, all checked.
local function session_from_args(project, args)
    for i = 6, FIRST_SESSION_TASK_ARG - 1 do
        if args[i] == nil then
            refuse('INVALID_INPUT', 'an imported session needs ' .. (FIRST_SESSION_TASK_ARG - 1) .. ' arguments')
        end
    end
    local session = {
        id = args[6], name = optional(args[7]), status = args[8], legacyStatus = optional(args[9]), projectId = project,
        spawnSource = args[10], createdAt = args[11], updatedAt = args[12], error = optional(args[13]),
        host = optional(args[14]), pid = optional(args[15]), lastHeartbeat = optional(args[16]),
        tokenHash = optional(args[17]), extra = optional(args[18]),
    }
    check_id(session.id, 'session id')
    if session.name then check_name(session.name) end
    check_one_of(session.status, LIFECYCLES, 'lifecycle status')
    if session.legacyStatus then check_name(session.legacyStatus) end
    check_one_of(session.spawnSource, SPAWN_SOURCES, 'spawn source')
    check_timestamp(session.createdAt, 'createdAt')
    check_timestamp(session.updatedAt, 'updatedAt')
    check_text(args[13], 'an error', MAX_NOTES_BYTES)
    if session.host then check_name(session.host) end
    if session.pid and string.find(session.pid, '^%d%d?%d?%d?%d?%d?%d?%d?%d?$') == nil then
        refuse('INVALID_INPUT', 'a pid must be a number')
    end
    if session.lastHeartbeat then check_timestamp(session.lastHeartbeat, 'lastHeartbeat') end
    if session.tokenHash and string.find(session.tokenHash, '^' .. string.rep('[0-9a-f]', 40) .. '$') == nil then
        refuse('INVALID_INPUT', 'a token hash must be the 40 lowercase hex digits of a SHA-1')
    end
    check_extra(args[18])
    local task_ids = {}
    local seen = {}
    for i = FIRST_SESSION_TASK_ARG, #args do
        check_id(args[i], 'task id')
        if seen[args[i]] then refuse('INVALID_INPUT', 'task ' .. args[i] .. ' is listed twice') end
        seen[args[i]] = true
        task_ids[#task_ids + 1] = args[i]
    end
    return session, task_ids
end

-- The session's task links as they will be: the given ones that a task confirms (or whose task is not
-- imported yet), in the given order, then links that tasks hold but the given list lacks.
local function session_links(prefix, session_id, given)
    local function confirmed(task_id)
        if redis.call('EXISTS', key_of.task(prefix, task_id)) == 0 then return nil end
        for _, linked in ipairs(task_links.read(prefix, task_id)) do
            if linked[1] == session_id then return true end
        end
        return false
    end
    local links = {}
    local listed = {}
    for _, task_id in ipairs(given) do
        if confirmed(task_id) ~= false then
            links[#links + 1] = task_id
            listed[task_id] = true
        end
    end
    for _, task_id in ipairs(redis.call('LRANGE', key_of.session(prefix, session_id) .. '/tasks', 0, -1)) do
        if not listed[task_id] and confirmed(task_id) then
            links[#links + 1] = task_id
            listed[task_id] = true
        end
    end
    return links
end

-- ARGV: version, idempotency key, max stream length, policy, dry run, sessionId, name, status, legacyStatus,
-- spawnSource, createdAt, updatedAt, error, host, pid, lastHeartbeat, tokenHash (SHA-1 hex of its token),
-- extra (a JSON object) — '' for any absent one — then its task ids, in order.
-- Tasks are the authority on links: import sessions after their tasks; a task id whose task exists but does
-- not list the session is dropped, one whose task is not imported yet is kept.
local function import_session(keys, args)
    check_version(keys, args)
    local prefix, project = project_of(keys)
    return once_if_written(prefix, 'import_session', args, function()
        local policy, dry = import_mode(args)
        local session, given = session_from_args(project, args)
        local existing = load_session(prefix, session.id)
        local links = session_links(prefix, session.id, given)
        local outcome, reason = import_outcome(existing, session, policy, function()
            local stored = redis.call('LRANGE', key_of.session(prefix, session.id) .. '/tasks', 0, -1)
            return same_fields(existing, session, COMPARED_SESSION_FIELDS) and same_list(stored, links)
        end)
        if dry or outcome == 'unchanged' or outcome == 'skipped' then
            return import_reply(outcome, session.id, reason, reason and existing.updatedAt)
        end
        local key = key_of.session(prefix, session.id)
        write_hash(key, SESSION_FIELDS, session)
        redis.call('DEL', key .. '/tasks')
        if #links > 0 then redis.call('RPUSH', key .. '/tasks', unpack(links)) end
        if not existing then
            redis.call('ZADD', prefix .. 'sessions', redis.call('INCR', prefix .. 'seq'), session.id)
        end
        local event_id = emit(keys, args, 'session:spawn', json.object(
            'session', session_json(prefix, session),
            'taskIds', json.strings(links),
            'spawnSource', json.string(session.spawnSource)
        ))
        return import_reply(outcome, session.id, nil, nil, nil, { event_id }), true
    end)
end

local PROJECT_FIELDS = { 'id', 'name', 'description', 'createdAt', 'updatedAt', 'extra' }

-- ARGV: version, idempotency key, max stream length, policy, dry run, name, description ('' none), createdAt,
-- updatedAt, extra ('' none). The project's id is the one of KEYS[1]. Emits no event.
local function import_project(keys, args)
    check_version(keys, args)
    local prefix, project_id = project_of(keys)
    return once_if_written(prefix, 'import_project', args, function()
        local policy, dry = import_mode(args)
        for i = 6, 10 do
            if args[i] == nil then refuse('INVALID_INPUT', 'an imported project needs 10 arguments') end
        end
        local project = {
            id = project_id, name = args[6], description = optional(args[7]), createdAt = args[8],
            updatedAt = args[9], extra = optional(args[10]),
        }
        check_name(project.name)
        if project.name == '' then refuse('INVALID_INPUT', 'a project name must not be empty') end
        check_text(args[7], 'a description', MAX_DESCRIPTION_BYTES)
        check_timestamp(project.createdAt, 'createdAt')
        check_timestamp(project.updatedAt, 'updatedAt')
        check_extra(args[10])
        local key = prefix .. 'project'
        local existing = hash_to_table(redis.call('HGETALL', key))
        if existing.id == nil then existing = nil end
        local outcome, reason = import_outcome(existing, project, policy, function()
            return same_fields(existing, project, PROJECT_FIELDS)
        end)
        local writes = not dry and (outcome == 'created' or outcome == 'updated')
        if writes then write_hash(key, PROJECT_FIELDS, project) end
        return import_reply(outcome, project_id, reason, reason and existing.updatedAt), writes
    end)
end
