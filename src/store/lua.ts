/**
 * Lua scripts: each one is a single atomic step, so no reader sees half an update, a crash never
 * leaves a tracking without exactly one pending poll (a member of either `due` or `inflight`), and a
 * state change and the notifications it causes (the outbox stream) are written together or not at all.
 *
 * Index updates travel as a JSON list of Redis commands built by the store (`ops`): the scripts stay
 * generic, and what an update touches is decided in TypeScript, next to the data model.
 */

/**
 * Runs one op. XADD_IF_SUBSCRIBED writes a notification only when the merchant or the tracking has a
 * webhook endpoint: nobody listening, nothing to relay (and nothing kept in memory).
 * SCHEDULE_POLL ends a poll (inflight → due at its next time, or nowhere); a refresh asked while that
 * poll ran makes the next one due now, since the running poll may have read the carrier too early.
 */
const RUN_OP = `
local function run(op)
  if op[1] == 'XADD_IF_SUBSCRIBED' then
    if redis.call('SCARD', op[2]) + redis.call('SCARD', op[3]) > 0 then
      redis.call('XADD', op[4], '*', 'm', op[5])
    end
  elseif op[1] == 'SCHEDULE_POLL' then
    local id, nextDue = op[5], op[6]
    redis.call('ZREM', op[2], id)
    if redis.call('SREM', op[4], id) == 1 then
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      if nextDue == '' or tonumber(nextDue) > now then nextDue = tostring(now) end
    end
    if nextDue == '' then redis.call('ZREM', op[3], id) else redis.call('ZADD', op[3], nextDue, id) end
  else
    redis.call(unpack(op))
  end
end
`

/**
 * KEYS: byNumber, tracking. ARGV: id, doc, ops, carrier. Returns the id of the tracking (new or
 * existing). The carrier is also a field of its own (`c`), so a read finds the carrier's due index
 * without decoding the doc.
 */
export const REGISTER_TRACKING = `${RUN_OP}
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'doc', ARGV[2], 'events', '[]', 'v', 1, 'c', ARGV[4])
for _, op in ipairs(cjson.decode(ARGV[3])) do run(op) end
return ARGV[1]
`

/**
 * Compare-and-set of several trackings, each on its own (one poll job's batch in one command).
 * KEYS: the trackings. ARGV, for each in turn: the count of its arguments, then expectedVersion, doc,
 * events ('' = unchanged), ops, opsIfGone ('' = not sent), withPayloads ('1' or '0'), then the
 * notification payloads when withPayloads: an XADD_IF_SUBSCRIBED op names the index of its message among the tracking's own
 * arguments, so a payload (most of the bytes) travels as it is, never escaped into the ops' JSON nor
 * decoded by cjson. Without payloads, a write goes through only if nobody listens (nothing to publish),
 * else it answers 2 and writes nothing: send it again with them.
 * The clean-up of a deleted tracking (opsIfGone, a third of a usual save's bytes) is sent only once
 * the script has said it is needed.
 * Returns, per tracking: 1 saved, 3 saved with payloads nobody listened to, 2 payloads needed,
 * 0 version conflict, -1 tracking deleted (opsIfGone ran), -2 tracking deleted, opsIfGone needed.
 */
export const SAVE_TRACKINGS = `${RUN_OP}
local function save(key, a)
  if redis.call('EXISTS', key) == 0 then
    if a[5] == '' then return -2 end
    for _, op in ipairs(cjson.decode(a[5])) do run(op) end
    return -1
  end
  local version = tonumber(redis.call('HGET', key, 'v'))
  if version ~= tonumber(a[1]) then return 0 end
  local ops = cjson.decode(a[4])
  local withPayloads = a[6] == '1'
  local listened = {}
  local anyListened = false
  -- A write's notifications share their listener sets: each pair is counted once.
  local listening = {}
  for i, op in ipairs(ops) do
    if op[1] == 'XADD_IF_SUBSCRIBED' then
      listening[op[2]] = listening[op[2]] or {}
      local known = listening[op[2]]
      if known[op[3]] == nil then
        known[op[3]] = redis.call('SCARD', op[2]) + redis.call('SCARD', op[3]) > 0
      end
      if known[op[3]] then
        if not withPayloads then return 2 end
        listened[i] = true
        anyListened = true
      end
    end
  end
  if a[3] ~= '' then
    redis.call('HSET', key, 'doc', a[2], 'events', a[3], 'v', version + 1)
  else
    redis.call('HSET', key, 'doc', a[2], 'v', version + 1)
  end
  for i, op in ipairs(ops) do
    if op[1] ~= 'XADD_IF_SUBSCRIBED' then
      run(op)
    elseif listened[i] then
      redis.call('XADD', op[4], '*', 'm', a[op[5]])
    end
  end
  if withPayloads and not anyListened then return 3 end
  return 1
end
local results = {}
local at = 1
for i, key in ipairs(KEYS) do
  local count = tonumber(ARGV[at])
  local a = {}
  for j = 1, count do a[j] = ARGV[at + j] end
  results[i] = save(key, a)
  at = at + count + 1
end
return results
`

/**
 * What polls need of several trackings, in one command. KEYS: the trackings. Returns, for each in
 * turn, its doc, events and version (nil for each when the tracking is gone).
 */
export const LOAD_TRACKINGS = `
local out = {}
for i, key in ipairs(KEYS) do
  local fields = redis.call('HMGET', key, 'doc', 'events', 'v')
  out[3 * i - 2] = fields[1] or false
  out[3 * i - 1] = fields[2] or false
  out[3 * i] = fields[3] or false
end
return out
`

/**
 * KEYS: tracking, its shopper subscriptions set. ARGV: expectedVersion, ops, webhook key prefix.
 * Returns 1 deleted, 0 version conflict, -1 already gone. Its subscriptions go with it.
 */
export const DELETE_TRACKING = `${RUN_OP}
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if tonumber(redis.call('HGET', KEYS[1], 'v')) ~= tonumber(ARGV[1]) then return 0 end
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do redis.call('DEL', ARGV[3] .. id) end
redis.call('DEL', KEYS[1], KEYS[2])
for _, op in ipairs(cjson.decode(ARGV[2])) do run(op) end
return 1
`

/**
 * Hands due members to a job under a lease; leases that ran out (a worker died) are handed out again.
 * KEYS: due, inflight. ARGV: nowMs, limit, leaseUntilMs. Returns the claimed ids.
 */
export const CLAIM_DUE = `
local limit = tonumber(ARGV[2])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, limit)
if #ids > 0 then
  redis.call('ZREM', KEYS[1], unpack(ids))
end
if #ids < limit then
  local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, limit - #ids)
  for _, id in ipairs(expired) do table.insert(ids, id) end
end
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[2], ARGV[3], id) end
return ids
`

/**
 * KEYS: tracking, due, inflight, refresh-after-poll set. ARGV: id, nowMs.
 * Returns gone | running (another poll follows the running one) | due | queued.
 */
export const REQUEST_REFRESH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'gone' end
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  redis.call('SADD', KEYS[4], ARGV[1])
  return 'running'
end
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then return 'due' end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 'queued'
`

/** KEYS: tracking, its subscriptions set, the subscription. ARGV: id, doc. Returns 0 when the tracking is gone. */
export const ADD_SUBSCRIPTION = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], ARGV[2])
return 1
`

/**
 * A tracking and its next poll time in one round trip (the `due` key depends on the carrier: the `c`
 * field, or the doc for trackings registered before that field existed). KEYS: tracking. ARGV: due key
 * prefix, id, the version the caller already holds ('' for none). Returns doc and events (both nil
 * when the caller holds this version), version, due score (nil when the tracking is gone; nil score
 * when no poll is waiting).
 */
export const READ_TRACKING = `
local fields = redis.call('HMGET', KEYS[1], 'doc', 'events', 'v', 'c')
if not fields[1] then return false end
local carrier = fields[4]
if not carrier then
  local ok, doc = pcall(cjson.decode, fields[1])
  if ok and type(doc) == 'table' and type(doc.carrier) == 'string' then carrier = doc.carrier end
end
local score = false
if carrier then score = redis.call('ZSCORE', ARGV[1] .. carrier, ARGV[2]) end
if fields[3] == ARGV[3] then return {false, false, fields[3], score} end
return {fields[1], fields[2], fields[3], score}
`
