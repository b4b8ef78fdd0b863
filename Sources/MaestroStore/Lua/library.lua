#!lua name=maestro
-- The Maestro Redis function library. Every state change is one call of one of these functions:
-- it validates, checks the state machine, writes, bumps the task version, appends to the project's
-- event stream and publishes, all atomically. Every refusal happens before the first write.
--
-- Calling convention for every function:
--   KEYS[1]  the project's event stream, `mae:{<projectId>}:events`; every other key the function
--            touches is derived from its prefix and shares its hash tag (one cluster slot).
--   ARGV[1]  the library version the client was built for; a mismatch is refused (STALE_LIBRARY).
-- Writing functions also take:
--   ARGV[2]  an idempotency key ('' for none): a retried call with the same key returns the first
--            result and changes nothing.
--   ARGV[3]  the approximate maximum length of the event stream (0: never trimmed).

local LIBRARY_VERSION = '11'
local IDEMPOTENCY_TTL_SECONDS = 86400

-- Two tables of helpers, so that the files joined into one chunk stay under Lua's 200 top-level locals: `key_of`
-- builds key names (each defined with its topic's code: key_of.task in records.lua, key_of.history in history.lua…),
-- `json` writes JSON with a fixed field order and real arrays (cjson writes an empty table as {}).
local key_of = {}
local json = {}

function json.string(value)
    if value == nil or value == false then return 'null' end
    return cjson.encode(value)
end

function json.array(encoded_items)
    return '[' .. table.concat(encoded_items, ',') .. ']'
end

-- A JSON string of text that needs no escaping: validated ids, enum values, timestamps the library wrote.
function json.plain(value)
    if value == nil or value == false then return 'null' end
    return '"' .. value .. '"'
end

-- Field names as JSON keys, encoded once (a few dozen names, used by every call that answers JSON).
json.keys = {}

-- The arguments are names and encoded values in turn: json.object('id', '"t1"', 'version', '3'); a name whose value
-- is nil is left out. Arguments rather than a table per field: a page of tasks writes thousands of fields.
function json.object(...)
    local arguments, parts = { ... }, {}
    for i = 1, select('#', ...), 2 do
        local value = arguments[i + 1]
        if value ~= nil then
            local name = arguments[i]
            local key = json.keys[name]
            if key == nil then
                key = cjson.encode(name) .. ':'
                json.keys[name] = key
            end
            parts[#parts + 1] = key .. value
        end
    end
    return '{' .. table.concat(parts, ',') .. '}'
end

function json.strings(values)
    local items = {}
    for i, value in ipairs(values) do items[i] = json.string(value) end
    return json.array(items)
end

-- Refuses the call: raises an error reply `CODE {json}` (before any write, so nothing changes).
local function refuse(code, message, current, allowed)
    error({ err = code .. ' ' .. json.object(
        'message', json.string(message),
        'current', current and json.string(current),
        'allowed', allowed and json.strings(allowed)
    ) })
end

local function check_version(keys, args)
    if args[1] ~= LIBRARY_VERSION then
        refuse('STALE_LIBRARY', 'Redis has the Maestro function library version ' .. LIBRARY_VERSION ..
            ' but the client needs version ' .. tostring(args[1]) ..
            '; load the matching library (maestro setup) or use a matching client')
    end
    if #keys ~= 1 or string.sub(keys[1], -7) ~= ':events' then
        refuse('INVALID_INPUT', 'KEYS[1] must be the project event stream mae:{<projectId>}:events')
    end
end

-- The project's key prefix (`mae:{P}:`) and project id, from the declared stream key.
local function project_of(keys)
    local prefix = string.sub(keys[1], 1, -7)
    local project = string.match(prefix, '^mae:{([^{}]+)}:$')
    if project == nil then refuse('INVALID_INPUT', 'KEYS[1] must look like mae:{<projectId>}:events') end
    return prefix, project
end

-- A time (seconds and milliseconds since 1970) as ISO-8601 UTC with milliseconds.
local function iso_time(seconds, millis)
    local days = math.floor(seconds / 86400)
    local rest = seconds - days * 86400
    -- Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    local z = days + 719468
    local era = math.floor(z / 146097)
    local doe = z - era * 146097
    local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
    local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
    local mp = math.floor((5 * doy + 2) / 153)
    local day = doy - math.floor((153 * mp + 2) / 5) + 1
    local month = mp < 10 and mp + 3 or mp - 9
    local year = yoe + era * 400 + (month <= 2 and 1 or 0)
    return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', year, month, day,
        math.floor(rest / 3600), math.floor(rest % 3600 / 60), rest % 60, millis)
end

-- The Redis server's clock as ISO-8601 UTC with milliseconds: one clock for every client. `seconds_ago` (default 0)
-- goes back in time.
local function now_iso(seconds_ago)
    local t = redis.call('TIME')
    return iso_time(tonumber(t[1]) - (seconds_ago or 0), math.floor(tonumber(t[2]) / 1000))
end

-- The Redis server's clock in milliseconds since 1970.
local function now_millis()
    local t = redis.call('TIME')
    return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Milliseconds since 1970 as ISO-8601 UTC with milliseconds.
local function iso_of_millis(millis)
    return iso_time(math.floor(millis / 1000), millis % 1000)
end

-- Milliseconds since 1970 of an ISO-8601 UTC time as this library writes them (YYYY-MM-DDTHH:MM:SS.mmmZ), or nil.
local function millis_of_iso(text)
    local year, month, day, hour, minute, second, millis =
        string.match(text or '', '^(%d%d%d%d)%-(%d%d)%-(%d%d)T(%d%d):(%d%d):(%d%d)%.?(%d*)Z$')
    if year == nil then return nil end
    year, month = tonumber(year), tonumber(month)
    -- Days since 1970-01-01 from a civil date (H. Hinnant's algorithm, the inverse of iso_time's).
    local y = month <= 2 and year - 1 or year
    local era = math.floor(y / 400)
    local yoe = y - era * 400
    local mp = month > 2 and month - 3 or month + 9
    local doy = math.floor((153 * mp + 2) / 5) + tonumber(day) - 1
    local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
    local days = era * 146097 + doe - 719468
    local fraction = string.sub(millis .. '000', 1, 3)
    return ((days * 24 + tonumber(hour)) * 60 + tonumber(minute)) * 60000 + tonumber(second) * 1000 +
        tonumber(fraction)
end

-- What a call's arguments after the common ones (ARGV[4..]) say, as one digest, so an idempotency key replayed
-- with other arguments is told apart from a retry. `skip` names one argument index left out (a spawn's token).
local function arguments_digest(args, skip)
    local parts = {}
    for i = 4, #args do
        if i ~= skip then parts[#parts + 1] = #args[i] .. ':' .. args[i] end
    end
    return redis.sha1hex(table.concat(parts, ','))
end

-- The key of a call's idempotency record, or nil without a key.
local function idempotency_record(prefix, name, key)
    if key == nil or key == '' then return nil end
    return prefix .. 'idem/' .. name .. '/' .. key
end

-- The reply stored under an idempotency record, or nil; refuses a key reused with other arguments. A record is
-- the arguments' digest (40 hex digits) followed by the reply.
local function replayed_reply(record, digest)
    local previous = record and redis.call('GET', record)
    if not previous then return nil end
    if string.sub(previous, 1, 40) ~= digest then
        refuse('CONFLICT', 'idempotency key reused with other arguments: a key names one change; use a new key ' ..
            'for a different change')
    end
    return string.sub(previous, 41)
end

local function remember_reply(record, digest, reply)
    if record then redis.call('SET', record, digest .. reply, 'EX', IDEMPOTENCY_TTL_SECONDS) end
end

-- Like `once` for the calls made most often: `apply` returns only what the arguments do not already say (a short
-- text), which is all the record keeps, and the reply is `expand` of it — the first time and on every retry.
local function once_compact(prefix, name, args, apply, expand)
    local record = idempotency_record(prefix, name, args[2])
    local digest = arguments_digest(args)
    local previous = replayed_reply(record, digest)
    if previous then return expand(previous) end
    local compact = apply()
    remember_reply(record, digest, compact)
    return expand(compact)
end

-- Runs `apply` at most once per idempotency key (ARGV[2]): a retry with the same arguments gets the first call's
-- reply back; the same key with other arguments is refused.
local function once(prefix, name, args, apply)
    local record = idempotency_record(prefix, name, args[2])
    local digest = arguments_digest(args)
    local previous = replayed_reply(record, digest)
    if previous then return previous end
    local reply = apply()
    remember_reply(record, digest, reply)
    return reply
end
