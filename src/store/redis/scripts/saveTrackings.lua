--[[
  Compare-and-set of several trackings, each on its own (a poll job's batch in one command). For each
  tracking, in one atomic step: its record, timeline and version, the list indexes it moves between,
  its opened or resolved alerts in the merchant's alert lists, its notifications in the outbox (only
  when someone listens), the end of its poll and its next alert check, the expiry of its e-mail
  subscriptions once its life is over, and, when the change finishes the parcel, the parcel added to
  its analytics cell-week (once: the mark `an` on the tracking stops a second count).

  Input: the command's first argument is the count of KEYS. The keys every tracking shares come
  first; then each tracking has a group of keys and a group of arguments, both in the order of the
  trackings.

    KEYS[1] alerts due, KEYS[2] alerts inflight, KEYS[3] the outbox
    then, per tracking:
      1 the tracking
      2 due, 3 inflight, 4 refresh after poll (of its carrier)
      5 its e-mail subscriptions (hash)
      then, when it has notifications: the merchant's webhook endpoints (their copy in this shard), the
        tracking's subscriptions
      then the list indexes it leaves, then those it enters
      then, per alert opened or resolved: the merchant's open alerts, its open alerts of the alert's
        type, its resolved alerts, its resolved alerts of the type, the open alerts of the type
      then, when it finishes the parcel: its cell-week (hash), the merchant's cell-weeks, every
        merchant's cell-weeks, the merchant's cell-weeks' version and changes, every merchant's
        cell-weeks' version and changes

    ARGV, per tracking:
      1 count of its keys
      2 count of its arguments after these two
      3 expected version
      4 record (JSON)
      5 timeline, '' when unchanged
      6 tracking id
      7 next poll at (ms); '' stops polling; 'keep' leaves the poll schedule as it is
      8 next alert check at (ms); '' for none; 'keep' leaves the alert checks as they are (an alert
        sweep that claimed the tracking meanwhile is left to finish: it sets the next check)
      9 its member in the list indexes ('' when it moves in none)
      10 count of list indexes left
      11 count of list indexes entered
      12 count of alerts opened or resolved
      13 count of notifications
      14 '1' when the notifications' payloads follow, '0' when they were not sent
      15 expiry of its e-mail subscriptions (ms) when this change ends the parcel's life; 'persist'
         when it brings it back; '' leaves it as it is
      16 count of the analytics arguments (0 when the change does not finish the parcel)
      then, per alert: its member in the alert lists, its id, 'open' or 'resolved'
      then the analytics arguments: the cell-week's member in the indexes, its week's score, when it
        expires (ms), the bound below which index entries have expired (`(` and the oldest week's
        score still kept), how many versions a change is kept; then the count of counters to add and
        their field/amount pairs, the count of fields to lower and their field/value pairs, the count
        of fields to raise and their field/value pairs
      then, when sent, the notifications' payloads (JSON), in order

  Output, per tracking:
     1 saved
     3 saved, and its payloads were sent while nobody listens
     2 payloads needed: someone listens; send it again with its payloads (nothing written)
     0 version conflict (nothing written)
    -1 gone: the tracking was deleted; its pending poll and alert check went with it
]]

-- The poll ends: the tracking leaves inflight as its next poll enters due (or it waits for none), so
-- it is in exactly one of them while polled. A refresh asked while this poll ran makes the next poll
-- due now: the running one may have read the carrier too early.
local function endPoll(k, id, nextPoll)
  redis.call('ZREM', KEYS[k + 3], id)
  if redis.call('SREM', KEYS[k + 4], id) == 1 then
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    if nextPoll == '' or tonumber(nextPoll) > now then nextPoll = tostring(now) end
  end
  if nextPoll == '' then
    redis.call('ZREM', KEYS[k + 2], id)
  else
    redis.call('ZADD', KEYS[k + 2], nextPoll, id)
  end
end

local ALERTS_DUE, ALERTS_INFLIGHT, OUTBOX = KEYS[1], KEYS[2], KEYS[3]

-- A sweep that claimed the tracking is done with it once its next check is set.
local function setAlertCheck(id, nextCheck)
  if nextCheck == '' then
    redis.call('ZREM', ALERTS_DUE, id)
  else
    redis.call('ZADD', ALERTS_DUE, nextCheck, id)
  end
  redis.call('ZREM', ALERTS_INFLIGHT, id)
end

local function dropSchedules(k, id)
  redis.call('ZREM', KEYS[k + 2], id)
  redis.call('ZREM', KEYS[k + 3], id)
  redis.call('SREM', KEYS[k + 4], id)
  redis.call('ZREM', ALERTS_DUE, id)
  redis.call('ZREM', ALERTS_INFLIGHT, id)
end

local function moveAlert(at, member, alertId, state)
  local open, openOfType, resolved, resolvedOfType = KEYS[at + 1], KEYS[at + 2], KEYS[at + 3], KEYS[at + 4]
  if state == 'open' then
    redis.call('ZREM', resolved, member)
    redis.call('ZREM', resolvedOfType, member)
    redis.call('ZADD', open, 0, member)
    redis.call('ZADD', openOfType, 0, member)
    redis.call('SADD', KEYS[at + 5], alertId)
  else
    redis.call('ZREM', open, member)
    redis.call('ZREM', openOfType, member)
    redis.call('ZADD', resolved, 0, member)
    redis.call('ZADD', resolvedOfType, 0, member)
    redis.call('SREM', KEYS[at + 5], alertId)
  end
end

local function pairsFrom(i, apply)
  for _ = 1, tonumber(ARGV[i]) do
    apply(ARGV[i + 1], ARGV[i + 2])
    i = i + 2
  end
  return i + 1
end

-- An index outlives the cell-weeks it names: its own expiry only moves later.
local function expireNoSooner(key, atMs, nowMs)
  local ttl = redis.call('PTTL', key)
  if ttl == -1 or nowMs + ttl < tonumber(atMs) then redis.call('PEXPIREAT', key, atMs) end
end

-- at and p: where the analytics keys and arguments start, minus one.
local function countFinished(key, at, p)
  if redis.call('HSETNX', key, 'an', '1') == 0 then return end
  local cell = KEYS[at + 1]
  local member, score, expiresAt, expiredBelow = ARGV[p + 1], ARGV[p + 2], ARGV[p + 3], ARGV[p + 4]
  local changesKept = tonumber(ARGV[p + 5])
  local i = pairsFrom(p + 6, function(field, amount) redis.call('HINCRBY', cell, field, amount) end)
  i = pairsFrom(i, function(field, value)
    local kept = redis.call('HGET', cell, field)
    if not kept or tonumber(value) < tonumber(kept) then redis.call('HSET', cell, field, value) end
  end)
  pairsFrom(i, function(field, value)
    local kept = redis.call('HGET', cell, field)
    if not kept or tonumber(value) > tonumber(kept) then redis.call('HSET', cell, field, value) end
  end)
  redis.call('PEXPIREAT', cell, expiresAt)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  for j = 0, 1 do
    local index, version, changes = KEYS[at + 2 + j], KEYS[at + 4 + 2 * j], KEYS[at + 5 + 2 * j]
    redis.call('ZADD', index, score, member)
    redis.call('ZREMRANGEBYSCORE', index, '-inf', expiredBelow)
    expireNoSooner(index, expiresAt, now)
    -- A reader that keeps cell-weeks reads what changed since the version it has; one further behind
    -- than the changes kept reads them all again.
    local v = redis.call('INCR', version)
    redis.call('ZADD', changes, v, member)
    redis.call('ZREMRANGEBYSCORE', changes, '-inf', v - changesKept)
    expireNoSooner(changes, expiresAt, now)
  end
end

-- k and a: where the tracking's keys and arguments start, minus one.
local function save(k, a)
  local key, id = KEYS[k + 1], ARGV[a + 6]
  if redis.call('EXISTS', key) == 0 then
    dropSchedules(k, id)
    return -1
  end
  local version = tonumber(redis.call('HGET', key, 'v'))
  if version ~= tonumber(ARGV[a + 3]) then return 0 end
  local leaving, entering = tonumber(ARGV[a + 10]), tonumber(ARGV[a + 11])
  local alerts, notifications = tonumber(ARGV[a + 12]), tonumber(ARGV[a + 13])
  local withPayloads = ARGV[a + 14] == '1'
  local analytics = tonumber(ARGV[a + 16])
  local emails = KEYS[k + 5]
  local at = k + 5
  local listened = false
  if notifications > 0 then
    -- Nobody listening (no endpoint of the merchant's, no subscription to the tracking, no e-mail
    -- subscription): nothing to relay.
    listened = redis.call('SCARD', KEYS[at + 1]) + redis.call('SCARD', KEYS[at + 2]) > 0
      or redis.call('EXISTS', emails) == 1
    if listened and not withPayloads then return 2 end
    if listened then
      local before = a + 16 + 3 * alerts + analytics
      for i = 1, notifications do redis.call('XADD', OUTBOX, '*', 'm', ARGV[before + i]) end
    end
    at = at + 2
  end
  if ARGV[a + 5] ~= '' then
    redis.call('HSET', key, 'doc', ARGV[a + 4], 'events', ARGV[a + 5], 'v', version + 1)
  else
    redis.call('HSET', key, 'doc', ARGV[a + 4], 'v', version + 1)
  end
  local member = ARGV[a + 9]
  for i = 1, leaving do redis.call('ZREM', KEYS[at + i], member) end
  at = at + leaving
  for i = 1, entering do redis.call('ZADD', KEYS[at + i], 0, member) end
  at = at + entering
  for i = 0, alerts - 1 do
    local arg = a + 17 + 3 * i
    moveAlert(at, ARGV[arg], ARGV[arg + 1], ARGV[arg + 2])
    at = at + 5
  end
  if analytics > 0 then countFinished(key, at, a + 16 + 3 * alerts) end
  if ARGV[a + 7] ~= 'keep' then endPoll(k, id, ARGV[a + 7]) end
  if ARGV[a + 8] ~= 'keep' then setAlertCheck(id, ARGV[a + 8]) end
  local emailExpiry = ARGV[a + 15]
  if emailExpiry == 'persist' then
    redis.call('PERSIST', emails)
  elseif emailExpiry ~= '' then
    redis.call('PEXPIRE', emails, emailExpiry)
  end
  if withPayloads and not listened then return 3 end
  return 1
end

local results = {}
local k, a = 3, 0
while a < #ARGV do
  results[#results + 1] = save(k, a)
  k = k + tonumber(ARGV[a + 1])
  a = a + 2 + tonumber(ARGV[a + 2])
end
return results
