-- Appends an event to the project's stream and publishes it, in the relay's wire format
-- {"id","type","payload"}. Returns the stream id.

local function emit(keys, args, event_type, payload)
    local stream = keys[1]
    local max_length = tonumber(args[3]) or 0
    local id
    if max_length > 0 then
        id = redis.call('XADD', stream, 'MAXLEN', '~', max_length, '*', 'type', event_type, 'payload', payload)
    else
        id = redis.call('XADD', stream, '*', 'type', event_type, 'payload', payload)
    end
    local message = json_object({
        { 'id', json_string(id) }, { 'type', json_string(event_type) }, { 'payload', payload },
    })
    redis.call('SPUBLISH', string.sub(stream, 1, -7) .. 'live', message)
    return id
end
