--[[
  Takes up to `want` points of a fixed window, never more than are left. The counter is the one
  rate-limiter-flexible kept (same key, same meaning), so processes of both versions share it during
  a rolling upgrade.

  Input:
    KEYS[1] the window's counter

    ARGV[1] points wanted
    ARGV[2] points a window allows
    ARGV[3] window (ms)

  Output:
    {granted, used (after the grant), ms left in the window}
]]
local max = tonumber(ARGV[2])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local grant = math.min(tonumber(ARGV[1]), max - used)
if grant > 0 then
  used = redis.call('INCRBY', KEYS[1], grant)
  if used == grant then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
else
  grant = 0
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = tonumber(ARGV[3]) end
return {grant, used, ttl}
