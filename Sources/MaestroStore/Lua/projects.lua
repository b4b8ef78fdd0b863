-- Projects: the settings people give a project, and a project's own view of itself.
--   <prefix>project   hash   id, name, description, createdAt, updatedAt, extra (imported), staleAfterSeconds,
--                            archiveAfterDays, archiveCursor:<status> (where the archive sweep goes on)
-- A project needs no record to exist; without one every setting has its default.

local PROJECT_SETTINGS = {
    staleAfterSeconds = { default = 1800, minimum = 60, maximum = 604800 },
    archiveAfterDays = { default = 14, minimum = 1, maximum = 3650 },
}

local function project_record(prefix)
    return hash_to_table(redis.call('HGETALL', prefix .. 'project'))
end

-- A setting's value, its default when the project has none.
local function project_setting(record, name)
    return tonumber(record[name]) or PROJECT_SETTINGS[name].default
end

-- The project as the API shows it: its record (or what it would be) with every setting.
local function project_settings_json(project_id, record)
    return json.object(
        'id', json.plain(project_id),
        'name', json.string(record.name or project_id),
        'description', record.description and json.string(record.description),
        'createdAt', record.createdAt and json.plain(record.createdAt),
        'updatedAt', record.updatedAt and json.plain(record.updatedAt),
        'staleAfterSeconds', tostring(project_setting(record, 'staleAfterSeconds')),
        'archiveAfterDays', tostring(project_setting(record, 'archiveAfterDays'))
    )
end

-- ARGV: version. Read-only. {"project": {...settings}, "counts": {"todo": N, ..., "archived": N}, "cursor"}.
local function project_overview(keys, args)
    check_version(keys, args)
    local prefix, project_id = project_of(keys)
    local counts = {}
    for _, status in ipairs(TASK_STATUSES) do
        counts[#counts + 1] = status
        counts[#counts + 1] = tostring(redis.call('ZCARD', prefix .. 'tasks/' .. status))
    end
    counts[#counts + 1] = 'archived'
    counts[#counts + 1] = tostring(redis.call('ZCARD', prefix .. 'archive'))
    return json.object(
        'project', project_settings_json(project_id, project_record(prefix)),
        'counts', json.object(unpack(counts)),
        'cursor', json.string(stream_cursor(keys))
    )
end

-- ARGV: version, idempotency key, max stream length, then name/value pairs among name, description ('' clears
-- it), staleAfterSeconds, archiveAfterDays. Creates the record when the project has none. Emits project:updated
-- with the project, unless nothing changed.
local function update_project(keys, args)
    check_version(keys, args)
    local prefix, project_id = project_of(keys)
    return once(prefix, 'update_project', args, function()
        local record = project_record(prefix)
        local changes, removes = {}, {}
        for i = 4, #args, 2 do
            local name, value = args[i], args[i + 1]
            if value == nil then refuse('INVALID_INPUT', 'field ' .. quoted(name, 40) .. ' has no value') end
            local setting = PROJECT_SETTINGS[name]
            if name == 'name' then
                check_name(value)
                if value == '' then refuse('INVALID_INPUT', 'a project name must not be empty') end
            elseif name == 'description' then
                check_text(value, 'a description', MAX_DESCRIPTION_BYTES)
            elseif setting then
                local number = tonumber(value)
                if string.find(value, '^%d+$') == nil or number < setting.minimum or number > setting.maximum then
                    refuse('INVALID_INPUT', name .. ' must be a whole number from ' .. setting.minimum .. ' to ' ..
                        setting.maximum .. ' (got ' .. quoted(value, 40) .. ')')
                end
            else
                refuse('INVALID_INPUT', 'unknown project field ' .. quoted(name, 40) ..
                    '; use name, description, staleAfterSeconds or archiveAfterDays')
            end
            if name == 'description' and value == '' then
                if record.description then removes[#removes + 1] = name end
            elseif record[name] ~= value then
                changes[#changes + 1] = name
                changes[#changes + 1] = value
            end
        end
        if #changes == 0 and #removes == 0 then
            return json.object('project', project_settings_json(project_id, record), 'eventIds', '[]')
        end
        local now = now_iso()
        local key = prefix .. 'project'
        if record.id == nil then
            redis.call('HSET', key, 'id', project_id, 'name', record.name or project_id, 'createdAt', now)
        end
        redis.call('HSET', key, 'updatedAt', now, unpack(changes))
        if #removes > 0 then redis.call('HDEL', key, unpack(removes)) end
        local body = project_settings_json(project_id, project_record(prefix))
        local event_id = emit(keys, args, 'project:updated', json.object('project', body))
        return json.object('project', body, 'eventIds', json.strings({ event_id }))
    end)
end
