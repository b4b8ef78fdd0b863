-- Input checks; the same rules as MaestroDomain.Validation.

local MAX_ID = 128
local MAX_TITLE_CHARS = 500
local MAX_DESCRIPTION_BYTES = 65536
local MAX_NOTES_BYTES = 4096
local MAX_NAME_CHARS = 200

-- Shows a bad value safely in a message: cut to `limit` bytes and quoted, with control characters, quotes,
-- backslashes and non-ASCII bytes escaped (no line breaks or terminal controls reach a log or a terminal).
local function quoted(value, limit)
    local text = string.gsub(string.sub(tostring(value), 1, limit), '[%c\\"\128-\255]', function(c)
        return string.format('\\%03d', string.byte(c))
    end)
    return '"' .. text .. '"'
end

local function valid_id(value)
    return type(value) == 'string' and #value >= 1 and #value <= MAX_ID
        and string.find(value, '^[A-Za-z0-9%._:%-]+$') ~= nil
end

local function check_id(value, what)
    if not valid_id(value) then
        refuse('INVALID_INPUT', 'invalid ' .. what .. ' ' .. quoted(value, 60) ..
            ': use 1-' .. MAX_ID .. " letters, digits, '.', '_', '-' or ':'")
    end
end

-- Number of characters of valid UTF-8 text without forbidden control characters, or nil.
-- `allow_breaks` permits tab, CR and LF.
local function utf8_chars(s, allow_breaks)
    local i, n, count = 1, #s, 0
    while i <= n do
        local c = string.byte(s, i)
        local size
        if c < 0x80 then
            if (c < 0x20 or c == 0x7F) and not (allow_breaks and (c == 9 or c == 10 or c == 13)) then return nil end
            size = 1
        elseif c >= 0xC2 and c <= 0xDF then size = 2
        elseif c >= 0xE0 and c <= 0xEF then size = 3
        elseif c >= 0xF0 and c <= 0xF4 then size = 4
        else return nil end
        if i + size - 1 > n then return nil end
        for j = i + 1, i + size - 1 do
            local b = string.byte(s, j)
            if b < 0x80 or b > 0xBF then return nil end
        end
        local second = string.byte(s, i + 1)
        if (c == 0xE0 and second < 0xA0) or (c == 0xED and second > 0x9F)
            or (c == 0xF0 and second < 0x90) or (c == 0xF4 and second > 0x8F) then
            return nil
        end
        i = i + size
        count = count + 1
    end
    return count
end

local function check_title(value)
    local chars = utf8_chars(value, false)
    if chars == nil then
        refuse('INVALID_INPUT', 'a title must be valid UTF-8 without control characters or line breaks')
    end
    if chars < 1 or chars > MAX_TITLE_CHARS then
        refuse('INVALID_INPUT', 'a title must be 1-' .. MAX_TITLE_CHARS .. ' characters (got ' .. chars .. ')')
    end
end

local function check_text(value, what, max_bytes)
    if #value > max_bytes then
        refuse('INVALID_INPUT', what .. ' must be at most ' .. max_bytes .. ' bytes (got ' .. #value .. ')')
    end
    if utf8_chars(value, true) == nil then
        refuse('INVALID_INPUT', what .. ' must be valid UTF-8 without control characters other than tab and newline')
    end
end

local function check_name(value)
    local chars = utf8_chars(value, false)
    if chars == nil or chars > MAX_NAME_CHARS then
        refuse('INVALID_INPUT',
            'a session name must be at most ' .. MAX_NAME_CHARS .. ' characters of UTF-8 text on one line')
    end
end

local function check_one_of(value, allowed_values, what)
    for _, allowed in ipairs(allowed_values) do
        if value == allowed then return end
    end
    refuse('INVALID_INPUT', 'unknown ' .. what .. ' ' .. quoted(value, 40) ..
        '; use one of: ' .. table.concat(allowed_values, ', '))
end

local function check_count(value, what)
    local number = tonumber(value)
    if number == nil or number < 0 or number > 2147483647 or number ~= math.floor(number) then
        refuse('INVALID_INPUT', what .. ' must be a whole number from 0 to 2147483647')
    end
    return number
end

local MAX_PAGE = 1000

-- A page size: a whole number from 0 to 1000, so one read never does unbounded work.
local function check_page_limit(value)
    local number = check_count(value, 'limit')
    if number > MAX_PAGE then refuse('INVALID_INPUT', 'limit must be at most ' .. MAX_PAGE .. ' (got ' .. number .. ')') end
    return number
end
