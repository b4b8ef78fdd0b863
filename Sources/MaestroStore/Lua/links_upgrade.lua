-- Libraries before version 9 kept a task's links in a list of their own, <prefix>task:<id>/sessions. Existing
-- projects have those lists folded into the links field once, by `maestro-server` and `maestro setup` after they
-- load the library (TaskLinksUpgrade), in batches:
--   <prefix>links-upgrade   string  "done" once every task was visited, else the creation order visited last

local LINKS_UPGRADE_BATCH = 500

function key_of.links_upgrade(prefix) return prefix .. 'links-upgrade' end

-- Folds one task's list into its links field: the listed sessions in their order, then any linked since the
-- library changed, each with the status and staleSince its progress entry holds (an entry since removed is left
-- out).
local function fold_links_list(prefix, task_id)
    local list = key_of.task(prefix, task_id) .. '/sessions'
    local session_ids = redis.call('LRANGE', list, 0, -1)
    if #session_ids == 0 then return end
    local listed = {}
    for _, session_id in ipairs(session_ids) do listed[session_id] = true end
    for _, link in ipairs(task_links.read(prefix, task_id)) do
        if not listed[link[1]] then session_ids[#session_ids + 1] = link[1] end
    end
    local folded = {}
    for _, session_id in ipairs(session_ids) do
        local status, stale_since =
            unpack(redis.call('HMGET', key_of.progress(prefix, task_id, session_id), 'status', 'staleSince'))
        if status then folded[#folded + 1] = { session_id, status, stale_since or nil } end
    end
    task_links.write(prefix, task_id, folded)
    redis.call('DEL', list)
end

-- ARGV: version, idempotency key (unused), max stream length (unused). Folds the lists of the next 500 tasks by
-- creation order. Returns {"more":bool}: more while tasks are left to visit.
local function upgrade_task_links(keys, args)
    check_version(keys, args)
    local prefix = project_of(keys)
    local marker = key_of.links_upgrade(prefix)
    local last = redis.call('GET', marker)
    if last == 'done' then return '{"more":false}' end
    local runs = {}
    for i, set in ipairs(status_sets(prefix)) do
        runs[i] = redis.call('ZRANGEBYSCORE', set, '(' .. (last or '-inf'), '+inf', 'WITHSCORES', 'LIMIT', 0,
            LINKS_UPGRADE_BATCH + 1)
    end
    local task_ids, orders = merge_by_score(runs)
    local count = math.min(#task_ids, LINKS_UPGRADE_BATCH)
    for i = 1, count do fold_links_list(prefix, task_ids[i]) end
    local more = #task_ids > LINKS_UPGRADE_BATCH
    redis.call('SET', marker, more and tostring(orders[count]) or 'done')
    return more and '{"more":true}' or '{"more":false}'
end
