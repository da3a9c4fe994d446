--[[
  Brings a tracking's next poll forward to now, without ever giving it a second pending poll.

  Input:
    KEYS[1] the tracking
    KEYS[2] due (its carrier's poll queue)
    KEYS[3] inflight (its carrier's polls running)
    KEYS[4] refresh after poll (its carrier's trackings to poll again once their running poll ends)

    ARGV[1] tracking id
    ARGV[2] now (ms)

  Output:
    0 gone
    1 queued: the poll, due later, is due now
    2 due: the poll was due already, nothing changed
    3 running: a poll holds the tracking; the one after it will be due at once
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  redis.call('SADD', KEYS[4], ARGV[1])
  return 3
end
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then return 2 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
