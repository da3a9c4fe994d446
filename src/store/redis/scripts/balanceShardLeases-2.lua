--[[
  One worker process's round over the shard leases (the rule of balanceShards in shard-lease-store.ts):
  it is noted alive, renews the leases it keeps, gives back those beyond its fair share
  (ceil(shards / live processes)) and takes free or expired ones up to it. Or, to leave, it gives
  back every lease and is forgotten.

  Input:
    KEYS[1] live processes (sorted set: owner -> when its heartbeat runs out, ms)
    KEYS[2] shard leases (hash: shard -> "<when it runs out, ms>:<owner>")

    ARGV[1] owner
    ARGV[2] now (ms), or empty for the server's clock (no skew between processes)
    ARGV[3] lease (ms)
    ARGV[4] shards
    ARGV[5] "balance" or "leave"

  Output:
    { live processes, held shard, held shard, … } (empty after leaving)
]]
local owner = ARGV[1]
local now = tonumber(ARGV[2])
if now == nil then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local expires = now + tonumber(ARGV[3])
local shards = tonumber(ARGV[4])

local mine, free = {}, {}
local leases = redis.call('HGETALL', KEYS[2])
local holders = {}
for index = 1, #leases, 2 do holders[tonumber(leases[index])] = leases[index + 1] end
for shard = 0, shards - 1 do
  local lease = holders[shard]
  if lease == nil then
    free[#free + 1] = shard
  else
    local colon = string.find(lease, ':', 1, true)
    if string.sub(lease, colon + 1) == owner then
      mine[#mine + 1] = shard
    elseif tonumber(string.sub(lease, 1, colon - 1)) <= now then
      free[#free + 1] = shard
    end
  end
end

if ARGV[5] == 'leave' then
  redis.call('ZREM', KEYS[1], owner)
  if #mine > 0 then redis.call('HDEL', KEYS[2], unpack(mine)) end
  return {}
end

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], expires, owner)
local live = redis.call('ZCARD', KEYS[1])
local fair = math.ceil(shards / live)

local held, released, renewal = {}, {}, {}
for index, shard in ipairs(mine) do
  if index <= fair then held[#held + 1] = shard else released[#released + 1] = shard end
end
for index = 1, math.min(#free, fair - #held) do held[#held + 1] = free[index] end
if #released > 0 then redis.call('HDEL', KEYS[2], unpack(released)) end
if #held > 0 then
  local value = string.format('%d:%s', expires, owner)
  for _, shard in ipairs(held) do
    renewal[#renewal + 1] = shard
    renewal[#renewal + 1] = value
  end
  redis.call('HSET', KEYS[2], unpack(renewal))
end
table.sort(held)
local answer = { live }
for _, shard in ipairs(held) do answer[#answer + 1] = shard end
return answer
