--[[
  Adds a shopper subscription to a tracking, unless the tracking is gone.

  Input:
    KEYS[1] the tracking
    KEYS[2] its subscriptions (set of endpoint ids)
    KEYS[3] the subscription's endpoint

    ARGV[1] endpoint id
    ARGV[2] endpoint (JSON)

  Output:
    1 added
    0 the tracking is gone
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], ARGV[2])
return 1
