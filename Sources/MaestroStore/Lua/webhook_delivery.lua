-- Outbound webhooks: claiming due deliveries with a lease, recording each attempt's outcome, retrying by hand,
-- listing a webhook's deliveries, and dropping a deleted webhook's data. Keys: webhook_intake.lua.

-- A delivery as the API shows it (no payload).
function webhooks.delivery_json(prefix, record)
    local final = record.state ~= 'pending'
    local millis = function(name)
        local value = tonumber(record[name] or '')
        return value and json.plain(iso_of_millis(value)) or 'null'
    end
    return json.object(
        'webhookId', json.string(record.webhookId),
        'projectId', json.plain(project_of_prefix(prefix)),
        'eventId', json.string(record.eventId),
        'type', json.string(record.type),
        'state', json.string(record.state),
        'attempts', tostring(tonumber(record.attempts) or 0),
        'lastStatus', tostring(tonumber(record.lastStatus or '') or 'null'),
        'lastError', json.string(record.lastError),
        'nextAttemptAt', final and 'null' or millis('nextAttemptAt'),
        'createdAt', millis('createdAt'),
        'updatedAt', millis('updatedAt'),
        'deliveredAt', millis('deliveredAt')
    )
end

function webhooks.load(prefix, webhook_id, event_id)
    local record = hash_to_table(redis.call('HGETALL', webhooks.record_key(prefix, webhook_id, event_id)))
    if record.state == nil then return nil end
    return record
end

-- ARGV: version, idempotency key (unused), max stream length (unused), lease milliseconds, claim token, then pairs:
-- a webhook id and how many of its due deliveries to claim (0: none, only its backlog). Each claimed delivery gets
-- one more attempt and the token, and is due again when the lease runs out — so a server that dies while sending
-- leaves it to another. {"claimed":[{"webhookId","eventId","type","payload" (JSON text as a string),"attempts",
-- "createdAt" (ms)}...],"backlog":[{"webhookId","pending","oldestPendingAt" (ms or null)}...],"now" (ms)}
function webhooks.claim(keys, args)
    local prefix = project_of(keys)
    local lease = check_count(args[4], 'the lease')
    check_id(args[5], 'claim token')
    if (#args - 5) % 2 ~= 0 or #args - 5 > 2 * webhooks.MAX_BATCH then
        refuse('INVALID_INPUT', 'give up to ' .. webhooks.MAX_BATCH .. ' pairs of a webhook id and a count')
    end
    local wanted = {}
    for i = 6, #args, 2 do
        check_id(args[i], 'webhook id')
        wanted[#wanted + 1] = { args[i], math.min(check_count(args[i + 1], 'a claim count'), webhooks.MAX_BATCH) }
    end
    local now = now_millis()
    local claimed, backlog = {}, {}
    for _, item in ipairs(wanted) do
        local webhook_id, count = item[1], item[2]
        local base = webhooks.base(prefix, webhook_id)
        if count > 0 then
            for _, event_id in ipairs(redis.call('ZRANGEBYSCORE', base .. '/due', '-inf', now, 'LIMIT', 0, count)) do
                local record = webhooks.load(prefix, webhook_id, event_id)
                if record == nil or record.state ~= 'pending' then
                    redis.call('ZREM', base .. '/due', event_id)
                    redis.call('ZREM', base .. '/pending', event_id)
                else
                    local key = webhooks.record_key(prefix, webhook_id, event_id)
                    local attempts = redis.call('HINCRBY', key, 'attempts', 1)
                    redis.call('HSET', key, 'lease', args[5], 'nextAttemptAt', now + lease)
                    redis.call('ZADD', base .. '/due', now + lease, event_id)
                    claimed[#claimed + 1] = json.object(
                        'webhookId', json.plain(webhook_id), 'eventId', json.plain(event_id),
                        'type', json.string(record.type), 'payload', json.string(record.payload),
                        'attempts', tostring(attempts), 'createdAt', tostring(tonumber(record.createdAt) or 0)
                    )
                end
            end
        end
        local oldest = redis.call('ZRANGE', base .. '/pending', 0, 0, 'WITHSCORES')
        backlog[#backlog + 1] = json.object(
            'webhookId', json.plain(webhook_id),
            'pending', tostring(redis.call('ZCARD', base .. '/pending')),
            'oldestPendingAt', oldest[2] or 'null'
        )
    end
    return json.object('claimed', json.array(claimed), 'backlog', json.array(backlog), 'now', tostring(now))
end

-- ARGV: version, idempotency key (unused), max stream length (unused), webhook id, event id, claim token, outcome
-- (delivered, retry or dead), HTTP status ('' for none), error ('' for none; up to 500 bytes of text), retry delay
-- milliseconds. Applies only while the claim is the delivery's current one (a server whose lease ran out and was
-- taken over reports nothing). {"applied":bool,"delivery":{...} when applied}
function webhooks.report(keys, args)
    local prefix = project_of(keys)
    local webhook_id, event_id, token, outcome, status, problem = args[4], args[5], args[6], args[7], args[8], args[9]
    check_id(webhook_id, 'webhook id')
    webhooks.check_event_id(event_id)
    check_id(token, 'claim token')
    check_one_of(outcome, { 'delivered', 'retry', 'dead' }, 'outcome')
    if status ~= '' and (string.find(status, '^[1-5]%d%d$') == nil) then
        refuse('INVALID_INPUT', 'an HTTP status must be a number from 100 to 599 (got ' .. quoted(status, 20) .. ')')
    end
    check_text(problem, 'an error', webhooks.MAX_ERROR_BYTES)
    local delay = check_count(args[10] or '', 'the retry delay')
    local record = webhooks.load(prefix, webhook_id, event_id)
    if record == nil or record.state ~= 'pending' or record.lease ~= token then
        return json.object('applied', 'false')
    end
    local key = webhooks.record_key(prefix, webhook_id, event_id)
    local base = webhooks.base(prefix, webhook_id)
    local now = now_millis()
    redis.call('HDEL', key, 'lease', 'lastStatus', 'lastError')
    redis.call('HSET', key, 'updatedAt', now)
    if status ~= '' then redis.call('HSET', key, 'lastStatus', status) end
    if problem ~= '' then redis.call('HSET', key, 'lastError', problem) end
    if outcome == 'retry' then
        redis.call('HSET', key, 'nextAttemptAt', now + delay)
        redis.call('ZADD', base .. '/due', now + delay, event_id)
    else
        redis.call('HSET', key, 'state', outcome)
        if outcome == 'delivered' then redis.call('HSET', key, 'deliveredAt', now) end
        redis.call('ZREM', base .. '/due', event_id)
        redis.call('ZREM', base .. '/pending', event_id)
        redis.call('EXPIRE', key, webhooks.RETENTION_SECONDS)
    end
    return json.object(
        'applied', 'true', 'delivery', webhooks.delivery_json(prefix, webhooks.load(prefix, webhook_id, event_id))
    )
end

-- ARGV: version, idempotency key (unused), max stream length (unused), webhook id, event id. Sends the delivery
-- again: a delivered or dead one becomes pending with its attempts reset, due now; a pending one waiting for its
-- next attempt is due now. Refused while it is being sent (CONFLICT) or when there is no such delivery (NOT_FOUND).
-- {"delivery":{...}}
function webhooks.retry(keys, args)
    local prefix = project_of(keys)
    local webhook_id, event_id = args[4], args[5]
    check_id(webhook_id, 'webhook id')
    webhooks.check_event_id(event_id)
    local record = webhooks.load(prefix, webhook_id, event_id)
    if record == nil then
        refuse('NOT_FOUND', 'webhook ' .. webhook_id .. ' has no delivery of event ' .. event_id .. ' in project ' ..
            project_of_prefix(prefix) .. ' (deliveries are kept 7 days)')
    end
    local key = webhooks.record_key(prefix, webhook_id, event_id)
    local base = webhooks.base(prefix, webhook_id)
    local now = now_millis()
    if record.lease and (tonumber(redis.call('ZSCORE', base .. '/due', event_id) or '0') or 0) > now then
        refuse('CONFLICT', 'the delivery of event ' .. event_id .. ' is being sent right now', 'sending')
    end
    redis.call('HDEL', key, 'lease')
    if record.state ~= 'pending' then
        local created = tonumber(record.createdAt) or 0
        redis.call('HSET', key, 'state', 'pending', 'attempts', 0)
        redis.call('HDEL', key, 'deliveredAt')
        redis.call('PERSIST', key)
        redis.call('ZADD', base .. '/pending', created, event_id)
        redis.call('SADD', prefix .. 'webhooks', webhook_id)
        webhooks.log(prefix, webhook_id, event_id, created)
    end
    redis.call('HSET', key, 'nextAttemptAt', now, 'updatedAt', now)
    redis.call('ZADD', base .. '/due', now, event_id)
    return json.object('delivery', webhooks.delivery_json(prefix, webhooks.load(prefix, webhook_id, event_id)))
end

-- ARGV: version, webhook id, limit (0-1000). Read-only. The webhook's newest deliveries in this project, newest first
-- (by the event's commit time). {"deliveries":[...]}
function webhooks.deliveries(keys, args)
    local prefix = project_of(keys)
    check_id(args[2], 'webhook id')
    local limit = check_page_limit(args[3])
    local rows = {}
    if limit > 0 then
        for _, event_id in ipairs(redis.call('ZREVRANGE', webhooks.base(prefix, args[2]) .. '/log', 0, limit - 1)) do
            local record = webhooks.load(prefix, args[2], event_id)
            if record then rows[#rows + 1] = webhooks.delivery_json(prefix, record) end
        end
    end
    return json.object('deliveries', json.array(rows))
end

-- ARGV: version. Read-only. The ids of the webhooks that have deliveries in this project. {"webhookIds":[...]}
function webhooks.ids(keys, args)
    local ids = redis.call('SMEMBERS', project_of(keys) .. 'webhooks')
    table.sort(ids)
    return json.object('webhookIds', json.strings(ids))
end

-- ARGV: version, idempotency key (unused), max stream length (unused), webhook id. Deletes up to 1,000 of a
-- (deleted) webhook's deliveries in this project, and its lists once none is left. {"more":bool}
function webhooks.drop(keys, args)
    local prefix = project_of(keys)
    local webhook_id = args[4]
    check_id(webhook_id, 'webhook id')
    local base = webhooks.base(prefix, webhook_id)
    local budget = webhooks.MAX_BATCH
    for _, list in ipairs({ '/due', '/pending', '/log' }) do
        local members = budget > 0 and redis.call('ZRANGE', base .. list, 0, budget - 1) or {}
        for _, event_id in ipairs(members) do
            redis.call('DEL', webhooks.record_key(prefix, webhook_id, event_id))
            for _, other in ipairs({ '/due', '/pending', '/log' }) do redis.call('ZREM', base .. other, event_id) end
        end
        budget = budget - #members
    end
    local more = redis.call('ZCARD', base .. '/due') + redis.call('ZCARD', base .. '/pending') +
        redis.call('ZCARD', base .. '/log') > 0
    if not more then redis.call('SREM', prefix .. 'webhooks', webhook_id) end
    return json.object('more', tostring(more))
end
