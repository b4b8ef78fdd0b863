-- Outbound webhooks, the project's side (the webhooks themselves are in the global registry `mae:webhooks`, which
-- these functions never touch: it lives outside the project's slot). Every maestro-server that delivers reads the
-- project's stream through one consumer group, `webhooks`, and turns each event into one delivery record per
-- webhook that wants it, acknowledging the event in the same call: an event is enqueued exactly once however many
-- servers read, reclaim or crash.
--   <prefix>webhooks                        set    ids of the webhooks that have deliveries in this project
--   <prefix>webhook:<W>/delivery/<eventId>  hash   webhookId, eventId, type, payload, state (pending, delivered,
--                                                  dead), attempts, lastStatus, lastError, nextAttemptAt, createdAt
--                                                  (the event's commit time), updatedAt, deliveredAt (milliseconds),
--                                                  lease (the claim holding it); kept RETENTION once final
--   <prefix>webhook:<W>/due                 zset   pending event ids by next attempt (a claimed one: lease expiry)
--   <prefix>webhook:<W>/pending             zset   pending event ids by commit time (the backlog and its age)
--   <prefix>webhook:<W>/log                 zset   the newest LOG_LIMIT event ids by commit time (what the API lists)
--
-- One table holds these functions: the library's main chunk is close to Lua's 200 locals.

local webhooks = {
    GROUP = 'webhooks',
    LOG_LIMIT = 1000,
    RETENTION_SECONDS = 7 * 86400,
    MAX_BATCH = 1000,
    MAX_ERROR_BYTES = 500,
}

-- Every command these functions run, as Redis's ACL sees it (checked up front like library_commands; only
-- maestro-server needs them: RedisPermissions.webhookCommands).
function webhooks.commands(prefix)
    local key, stream = prefix .. 'webhook:acl-check', prefix .. 'events'
    return {
        { 'TIME' }, { 'EXISTS', key }, { 'DEL', key }, { 'EXPIRE', key, '1' }, { 'PERSIST', key },
        { 'HGET', key, 'f' }, { 'HGETALL', key }, { 'HSET', key, 'f', 'v' }, { 'HDEL', key, 'f' },
        { 'HINCRBY', key, 'f', '1' }, { 'SADD', key, 'v' }, { 'SREM', key, 'v' }, { 'SMEMBERS', key },
        { 'ZADD', key, '1', 'v' }, { 'ZREM', key, 'v' }, { 'ZSCORE', key, 'v' }, { 'ZCARD', key },
        { 'ZRANGE', key, '0', '1' }, { 'ZREVRANGE', key, '0', '1' }, { 'ZRANGEBYSCORE', key, '0', '1' },
        { 'ZREMRANGEBYRANK', key, '0', '1' },
        { 'XRANGE', stream, '-', '+' }, { 'XACK', stream, 'g', '0-1' }, { 'XPENDING', stream, 'g' },
        { 'XGROUP', 'CREATE', stream, 'g', '$' }, { 'XGROUP', 'SETID', stream, 'g', '$' },
        { 'XGROUP', 'DELCONSUMER', stream, 'g', 'c' }, { 'XINFO', 'GROUPS', stream },
        { 'XINFO', 'CONSUMERS', stream, 'g' },
    }
end

function webhooks.base(prefix, webhook_id) return prefix .. 'webhook:' .. webhook_id end
function webhooks.record_key(prefix, webhook_id, event_id)
    return webhooks.base(prefix, webhook_id) .. '/delivery/' .. event_id
end

-- A stream id `<ms>-<seq>` as two numbers, or nil.
function webhooks.parse_id(text)
    local ms, seq = string.match(text or '', '^(%d+)%-(%d+)$')
    if ms == nil or #ms > 15 or #seq > 15 then return nil end
    return { tonumber(ms), tonumber(seq) }
end

function webhooks.check_event_id(text)
    local id = webhooks.parse_id(text)
    if id == nil then refuse('INVALID_INPUT', 'invalid event id ' .. quoted(text, 48) .. ': use <ms>-<seq>') end
    return id
end

function webhooks.id_less(a, b)
    return a[1] < b[1] or (a[1] == b[1] and a[2] < b[2])
end

-- The webhook ids of a comma-separated list ('' for none), each checked.
function webhooks.id_list(text)
    local ids = {}
    if text == '' then return ids end
    for id in string.gmatch(text .. ',', '([^,]*),') do
        check_id(id, 'webhook id')
        ids[#ids + 1] = id
    end
    return ids
end

-- Raises the error reply of a failed redis.pcall as a refusal (no write has happened where this is used).
function webhooks.require_ok(reply, what)
    if type(reply) == 'table' and reply.err then
        refuse('NOT_FOUND', what .. ': ' .. tostring(reply.err))
    end
    return reply
end

-- ARGV: version, idempotency key (unused), max stream length (unused), start id, consumer idle milliseconds.
-- Makes sure the stream has the `webhooks` group and that it reads no event from before `start` (the oldest
-- webhook's creation): creates it there, or moves it forward to there when it is behind (it never moves back, so
-- nothing is read twice). Forgets consumers idle longer than the given time that hold no pending event (each server
-- process reads as its own consumer). {"created":bool,"movedTo":id or null,"forgotten":N}
function webhooks.prepare(keys, args)
    local stream = keys[1]
    local start = webhooks.check_event_id(args[4])
    local idle = check_count(args[5], 'the consumer idle time')
    local created = redis.pcall('XGROUP', 'CREATE', stream, webhooks.GROUP, args[4], 'MKSTREAM')
    local moved = nil
    local exists = type(created) == 'table' and created.err ~= nil
    if exists then
        if string.find(created.err, 'BUSYGROUP', 1, true) == nil then webhooks.require_ok(created, 'the stream') end
        for _, group in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
            local fields = hash_to_table(group)
            if fields.name == webhooks.GROUP and webhooks.id_less(webhooks.parse_id(fields['last-delivered-id']), start)
            then
                redis.call('XGROUP', 'SETID', stream, webhooks.GROUP, args[4])
                moved = args[4]
            end
        end
    end
    local forgotten = 0
    for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', stream, webhooks.GROUP)) do
        local fields = hash_to_table(consumer)
        if tonumber(fields.pending) == 0 and tonumber(fields.idle) > idle then
            redis.call('XGROUP', 'DELCONSUMER', stream, webhooks.GROUP, fields.name)
            forgotten = forgotten + 1
        end
    end
    return json.object(
        'created', tostring(not exists),
        'movedTo', json.string(moved),
        'forgotten', tostring(forgotten)
    )
end

-- Appends one delivery to a webhook's log, dropping the oldest beyond LOG_LIMIT (with their records, unless they are
-- still pending: a pending record is dropped when it becomes final and its time is up).
function webhooks.log(prefix, webhook_id, event_id, created)
    local log = webhooks.base(prefix, webhook_id) .. '/log'
    redis.call('ZADD', log, created, event_id)
    local excess = redis.call('ZCARD', log) - webhooks.LOG_LIMIT
    if excess > 0 then
        local pending = webhooks.base(prefix, webhook_id) .. '/pending'
        for _, old in ipairs(redis.call('ZRANGE', log, 0, excess - 1)) do
            if not redis.call('ZSCORE', pending, old) then
                redis.call('DEL', webhooks.record_key(prefix, webhook_id, old))
            end
        end
        redis.call('ZREMRANGEBYRANK', log, 0, excess - 1)
    end
    redis.call('EXPIRE', log, webhooks.RETENTION_SECONDS)
end

-- ARGV: version, idempotency key (unused), max stream length (unused), then pairs: an event id the caller read
-- through the group, and the comma-separated ids of the webhooks that want it ('' for none). For each event still
-- pending in the group: one pending delivery per webhook (unless it has one already), due now; then XACK. An event
-- no longer pending (another server enqueued it) is skipped; one trimmed from the stream meanwhile is acknowledged
-- and counted as missing. {"enqueued":N,"acknowledged":N,"skipped":N,"missing":N}
function webhooks.enqueue(keys, args)
    local stream = keys[1]
    local prefix = project_of(keys)
    if (#args - 3) % 2 ~= 0 or #args - 3 > 2 * webhooks.MAX_BATCH then
        refuse('INVALID_INPUT', 'give up to ' .. webhooks.MAX_BATCH .. ' pairs of an event id and webhook ids')
    end
    local batch = {}
    for i = 4, #args, 2 do
        webhooks.check_event_id(args[i])
        batch[#batch + 1] = { args[i], webhooks.id_list(args[i + 1]) }
    end
    webhooks.require_ok(redis.pcall('XPENDING', stream, webhooks.GROUP), 'the stream has no webhooks group yet')
    local now = now_millis()
    local enqueued, acknowledged, skipped, missing = 0, 0, 0, 0
    for _, item in ipairs(batch) do
        local event_id, webhook_ids = item[1], item[2]
        if #redis.call('XPENDING', stream, webhooks.GROUP, event_id, event_id, 1) == 0 then
            skipped = skipped + 1
        else
            local entry = redis.call('XRANGE', stream, event_id, event_id)[1]
            if entry == nil then
                missing = missing + 1
            else
                local fields = hash_to_table(entry[2])
                local created = webhooks.parse_id(event_id)[1]
                for _, webhook_id in ipairs(webhook_ids) do
                    local key = webhooks.record_key(prefix, webhook_id, event_id)
                    if redis.call('EXISTS', key) == 0 then
                        local base = webhooks.base(prefix, webhook_id)
                        redis.call('HSET', key, 'webhookId', webhook_id, 'eventId', event_id,
                            'type', fields.type or '', 'payload', fields.payload or '{}', 'state', 'pending',
                            'attempts', 0, 'nextAttemptAt', now, 'createdAt', created, 'updatedAt', now)
                        redis.call('ZADD', base .. '/due', now, event_id)
                        redis.call('ZADD', base .. '/pending', created, event_id)
                        redis.call('SADD', prefix .. 'webhooks', webhook_id)
                        webhooks.log(prefix, webhook_id, event_id, created)
                        enqueued = enqueued + 1
                    end
                end
            end
            redis.call('XACK', stream, webhooks.GROUP, event_id)
            acknowledged = acknowledged + 1
        end
    end
    return json.object(
        'enqueued', tostring(enqueued), 'acknowledged', tostring(acknowledged),
        'skipped', tostring(skipped), 'missing', tostring(missing)
    )
end
