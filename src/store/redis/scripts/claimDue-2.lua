--[[
  Hands due members to a job under a lease; leases that ran out (a worker died) are handed out again.
  A member moves from due to inflight: it is in exactly one of them throughout.

  Input:
    KEYS[1] due
    KEYS[2] inflight

    ARGV[1] now (ms)
    ARGV[2] the most members to claim
    ARGV[3] the lease's end (ms)

  Output:
    the claimed members
]]
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
