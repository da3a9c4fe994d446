--[[
  Names a shopper subscription among its tracking's, unless the tracking is gone. The subscription's
  endpoint document lives in another slot: the caller writes it before, and deletes it on 0.

  Input:
    KEYS[1] the tracking
    KEYS[2] its subscriptions (set of endpoint ids)

    ARGV[1] endpoint id

  Output:
    1 added
    0 the tracking is gone
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SADD', KEYS[2], ARGV[1])
return 1
