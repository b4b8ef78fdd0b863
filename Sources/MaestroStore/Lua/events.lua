-- Appends an event to the project's stream. The call's newest event id is published once, when the call ends, on
-- the project's live channel: a wake-up only, since relays read the events themselves from the stream (so
-- nothing published by anyone else reaches a client, and a call that emits a thousand events publishes once).

-- The live channel and newest event id of the call running now (Redis runs one call at a time).
local wakeup = nil

local function emit(keys, args, event_type, payload)
    local stream = keys[1]
    local max_length = tonumber(args[3])
    local id
    if max_length > 0 then
        id = redis.call('XADD', stream, 'MAXLEN', '~', max_length, '*', 'type', event_type, 'payload', payload)
    else
        id = redis.call('XADD', stream, '*', 'type', event_type, 'payload', payload)
    end
    wakeup = { string.sub(stream, 1, -7) .. 'live', id }
    return id
end

-- Forgets a wake-up left by a call that stopped with an error (it wrote nothing: refusals come first).
local function clear_wakeup() wakeup = nil end

-- Publishes the wake-up of the call that just ended, if it emitted anything.
local function publish_wakeup()
    if wakeup ~= nil then
        redis.call('SPUBLISH', wakeup[1], wakeup[2])
        wakeup = nil
    end
end
