--[[
  Records e-mail deliveries of one tracking, each once (HSETNX), for subscriptions that still exist.

  Input:
    KEYS[1] the tracking's e-mail hash

    then, per delivery: the subscription's field, the delivery's field, the delivery (JSON)

  Output: per delivery, 1 recorded now, 0 recorded before or its subscription is gone
]]
local results = {}
for i = 1, #ARGV, 3 do
  local created = 0
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    created = redis.call('HSETNX', KEYS[1], ARGV[i + 1], ARGV[i + 2])
  end
  results[#results + 1] = created
end
return results
