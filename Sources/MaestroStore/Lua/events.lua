-- Appends an event to the project's stream and publishes its id on the project's live channel. The message is
-- only a wake-up: relays read the event itself from the stream, so nothing published by anyone else reaches a
-- client. Returns the stream id.

local function emit(keys, args, event_type, payload)
    local stream = keys[1]
    local max_length = tonumber(args[3])
    local id
    if max_length > 0 then
        id = redis.call('XADD', stream, 'MAXLEN', '~', max_length, '*', 'type', event_type, 'payload', payload)
    else
        id = redis.call('XADD', stream, '*', 'type', event_type, 'payload', payload)
    end
    redis.call('SPUBLISH', string.sub(stream, 1, -7) .. 'live', id)
    return id
end
