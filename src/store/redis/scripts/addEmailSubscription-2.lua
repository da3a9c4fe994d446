--[[
  Adds an e-mail subscription to a tracking, unless the tracking is gone or has enough of them.

  Input:
    KEYS[1] the tracking
    KEYS[2] its e-mail hash (subscriptions `s:<id>`, deliveries `d:<id>:<milestone>`)

    ARGV[1] the subscription's field (`s:<id>`)
    ARGV[2] the subscription (JSON)
    ARGV[3] most subscriptions a tracking may have
    ARGV[4] expiry of the hash (ms), when the parcel's life is already over; '' for none

  Output:
     1 added
     0 the tracking is gone
    -1 the tracking has ARGV[3] subscriptions already
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local count = 0
for _, field in ipairs(redis.call('HKEYS', KEYS[2])) do
  if string.sub(field, 1, 2) == 's:' then count = count + 1 end
end
if count >= tonumber(ARGV[3]) then return -1 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[4] ~= '' then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
return 1
