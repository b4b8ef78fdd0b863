-- The library's public functions. Read-only ones carry `no-writes` (FCALL_RO, replicas).

local function version() return LIBRARY_VERSION end

local MAX_STREAM_LENGTH = '9007199254740992' -- 2^53, as text
local MAX_IDEMPOTENCY_KEY = 200

-- The common arguments of every write: the idempotency key ('' or 1-200 printable ASCII characters, no spaces)
-- and the stream cap (a whole number from 0, never trimmed, to 2^53).
local function check_write_arguments(args)
    local key = args[2]
    if key ~= '' and (#key > MAX_IDEMPOTENCY_KEY or string.find(key, '^[!-~]+$') == nil) then
        refuse('INVALID_INPUT', 'an idempotency key must be 1-' .. MAX_IDEMPOTENCY_KEY ..
            ' printable ASCII characters without spaces')
    end
    local cap = args[3]
    -- Compared as text: beyond 2^53 Lua's numbers are not exact.
    if string.find(cap, '^%d+$') == nil or #cap > #MAX_STREAM_LENGTH
        or (#cap == #MAX_STREAM_LENGTH and cap > MAX_STREAM_LENGTH) then
        refuse('INVALID_INPUT', 'the stream cap must be a whole number from 0 (never trimmed) to 2^53 (got ' ..
            quoted(cap, 40) .. ')')
    end
end

-- Every command a writing function may run, as Redis's ACL sees it on this project's keys and channel. Redis
-- checks a function's commands against its caller's ACL one by one, so a caller lacking one would otherwise be
-- stopped half-way; checked up front, such a call is refused before its first write and changes nothing.
local function library_commands(prefix)
    local key, stream = prefix .. 'task:acl-check', prefix .. 'events'
    return {
        { 'TIME' }, { 'EXISTS', key }, { 'GET', key }, { 'SET', key, 'v' }, { 'DEL', key }, { 'INCR', key },
        { 'HGET', key, 'f' }, { 'HMGET', key, 'f' }, { 'HGETALL', key }, { 'HSET', key, 'f', 'v' }, { 'HDEL', key, 'f' },
        { 'HINCRBY', key, 'f', '1' }, { 'LRANGE', key, '0', '1' }, { 'LPOS', key, 'v' }, { 'RPUSH', key, 'v' },
        { 'LPUSH', key, 'v' }, { 'LTRIM', key, '0', '1' }, { 'LREM', key, '0', 'v' }, { 'SADD', key, 'v' },
        { 'SREM', key, 'v' }, { 'SCARD', key },
        { 'ZADD', key, '1', 'v' }, { 'ZREM', key, 'v' },
        { 'ZSCORE', key, 'v' }, { 'ZRANGE', key, '0', '1' }, { 'ZRANGEBYSCORE', key, '0', '1' }, { 'ZCARD', key },
        { 'XADD', stream, '*', 'f', 'v' }, { 'XREVRANGE', stream, '+', '-' }, { 'SPUBLISH', prefix .. 'live', 'v' },
    }
end

local function check_permissions(prefix, commands)
    for _, command in ipairs((commands or library_commands)(prefix)) do
        if not redis.acl_check_cmd(unpack(command)) then
            refuse('NOPERM', 'this Redis user may not run ' .. command[1] ..
                (command[2] and (' on ' .. command[2]) or '') .. ", which Maestro's functions need; nothing was " ..
                'changed (grant the commands of deploy/users.acl)')
        end
    end
end

-- Registers `callback` as `maestro_<name>`, refusing cleanly (INVALID_INPUT, nothing changed) a call with fewer
-- than `arity` arguments after the keys, where a missing argument would otherwise surface as a Lua error. A writing
-- function's caller must hold every command of `commands(prefix)` (default: library_commands).
local function register(name, callback, arity, flags, commands)
    local writes = flags == nil
    local function checked(keys, args)
        clear_wakeup()
        check_version(keys, args)
        if #args < arity then
            refuse('INVALID_INPUT', 'maestro_' .. name .. ' needs at least ' .. arity ..
                ' arguments after the keys (got ' .. #args .. ')')
        end
        if writes then
            check_write_arguments(args)
            check_permissions(project_of(keys), commands)
            -- A key that is never written, read before anything else: while the project's slot is being migrated
            -- to another shard, Redis refuses the call right here (a missing key in a migrating slot), so a write
            -- never stops half-way on a key that has already moved. Clients resend the call
            -- (RedisConnection+StoreOperation).
            redis.call('EXISTS', project_of(keys) .. 'slot-guard')
        end
        local reply = callback(keys, args)
        publish_wakeup()
        return reply
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
register('archive_sweep', archive_sweep, 4)
register('sweep_stale', sweep_stale, 3)
register('upgrade_task_links', upgrade_task_links, 3)
register('restore_task', restore_task, 4)
register('update_project', update_project, 3)
register('import_task', import_task, 16)
register('import_session', import_session, 18)
register('import_project', import_project, 10)
-- Outbound webhooks (maestro-server only; their own commands: webhooks.commands).
register('webhook_prepare', webhooks.prepare, 5, nil, webhooks.commands)
register('webhook_enqueue', webhooks.enqueue, 3, nil, webhooks.commands)
register('webhook_claim', webhooks.claim, 5, nil, webhooks.commands)
register('webhook_report', webhooks.report, 10, nil, webhooks.commands)
register('webhook_retry', webhooks.retry, 5, nil, webhooks.commands)
register('webhook_drop', webhooks.drop, 4, nil, webhooks.commands)
-- Reads: version, then each function's own arguments.
register('get_task', get_task, 2, READ_ONLY)
register('task_history', task_history, 2, READ_ONLY)
register('list_tasks', list_tasks, 4, READ_ONLY)
register('get_session', get_session, 2, READ_ONLY)
register('list_sessions', list_sessions, 3, READ_ONLY)
register('check_session', check_session, 3, READ_ONLY)
register('get_project', get_project, 1, READ_ONLY)
register('project_overview', project_overview, 1, READ_ONLY)
register('export_tasks', export_tasks, 3, READ_ONLY)
register('export_sessions', export_sessions, 3, READ_ONLY)
register('list_stale', list_stale, 2, READ_ONLY)
register('fleet_sessions', fleet_sessions, 3, READ_ONLY)
register('webhook_deliveries', webhooks.deliveries, 3, READ_ONLY)
register('webhook_ids', webhooks.ids, 1, READ_ONLY)
