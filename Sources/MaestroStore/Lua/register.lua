-- The library's public functions. Read-only ones carry `no-writes` (FCALL_RO, replicas).

local function version() return LIBRARY_VERSION end

-- Registers `callback` as `maestro_<name>`, refusing cleanly (INVALID_INPUT, nothing changed) a call with fewer
-- than `arity` arguments after the keys, where a missing argument would otherwise surface as a Lua error.
local function register(name, callback, arity, flags)
    local writes = flags == nil
    local function checked(keys, args)
        check_version(keys, args)
        -- A key that is never written, read before anything else: while the project's slot is being migrated to
        -- another shard, Redis refuses the call right here (a missing key in a migrating slot), so a write never
        -- stops half-way on a key that has already moved. Clients resend the call (StoreOperation+resend).
        if writes then redis.call('EXISTS', project_of(keys) .. 'slot-guard') end
        if #args < arity then
            refuse('INVALID_INPUT', 'maestro_' .. name .. ' needs at least ' .. arity ..
                ' arguments after the keys (got ' .. #args .. ')')
        end
        return callback(keys, args)
    end
    redis.register_function { function_name = 'maestro_' .. name, callback = checked, flags = flags or {} }
end

local READ_ONLY = { 'no-writes' }

redis.register_function { function_name = 'maestro_version', callback = version, flags = READ_ONLY }
-- Writes: version, idempotency key, max stream length, then each function's own arguments.
register('create_task', create_task, 8)
register('update_task', update_task, 4)
register('delete_task', delete_task, 4)
register('remove_session', remove_session, 5)
register('queue_tasks', queue_tasks, 6)
register('update_progress', update_progress, 7)
register('answer_input', answer_input, 6)
register('spawn_session', spawn_session, 9)
register('set_lifecycle', set_lifecycle, 5)
register('claim_session', claim_session, 7)
register('heartbeat', heartbeat, 7)
register('report_lifecycle', report_lifecycle, 7)
register('release_session', release_session, 6)
register('sweep_leases', sweep_leases, 3)
register('import_task', import_task, 15)
register('import_session', import_session, 18)
register('import_project', import_project, 10)
-- Reads: version, then each function's own arguments.
register('get_task', get_task, 2, READ_ONLY)
register('task_history', task_history, 2, READ_ONLY)
register('list_tasks', list_tasks, 4, READ_ONLY)
register('get_session', get_session, 2, READ_ONLY)
register('list_sessions', list_sessions, 3, READ_ONLY)
register('check_session', check_session, 3, READ_ONLY)
register('get_project', get_project, 1, READ_ONLY)
register('export_tasks', export_tasks, 3, READ_ONLY)
register('export_sessions', export_sessions, 3, READ_ONLY)
