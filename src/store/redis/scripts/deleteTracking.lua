--[[
  Deletes a tracking with everything of its shard that names it: its number, page token, entry among
  its order's parcels, list indexes, alerts, pending poll, alert check, its set of shopper
  subscriptions and its e-mail subscriptions. The subscriptions' endpoints live in another slot: the
  caller deletes them once this answers 1.

  Input: the command's first argument is the count of KEYS.
    KEYS[1] the tracking
    KEYS[2] its subscriptions (set of endpoint ids)
    KEYS[3] its number's key
    KEYS[4] due, KEYS[5] inflight, KEYS[6] refresh after poll (of its carrier)
    KEYS[7] alerts due, KEYS[8] alerts inflight
    KEYS[9] its page token's key
    KEYS[10] its e-mail subscriptions (hash)
    KEYS[11] its order's parcels (a key never written for a tracking without an order id)
    then the list indexes it is in
    then, per alert: the merchant's alerts of the alert's state, those of its state and type, the
      open alerts of its type

    ARGV[1] expected version
    ARGV[2] tracking id
    ARGV[3] its member in the list indexes and among its order's parcels
    ARGV[4] count of list indexes
    ARGV[5] count of alerts
    ARGV[6] count of subscriptions
    then, per alert: its member in the alert lists, its id
    then the subscriptions' endpoint ids, as the caller read them

  Output:
     1 deleted
     0 conflict: the version or the subscriptions changed since the caller read them (nothing written)
    -1 gone already
]]
local tracking, subscriptions = KEYS[1], KEYS[2]
if redis.call('EXISTS', tracking) == 0 then return -1 end
if tonumber(redis.call('HGET', tracking, 'v')) ~= tonumber(ARGV[1]) then return 0 end
local id, member = ARGV[2], ARGV[3]
local indexes, alerts, subscribed = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local firstSubscription = 6 + 2 * alerts
if redis.call('SCARD', subscriptions) ~= subscribed then return 0 end
for i = 1, subscribed do
  if redis.call('SISMEMBER', subscriptions, ARGV[firstSubscription + i]) == 0 then return 0 end
end

redis.call('DEL', tracking, subscriptions, KEYS[3], KEYS[9], KEYS[10])
redis.call('ZREM', KEYS[4], id)
redis.call('ZREM', KEYS[5], id)
redis.call('SREM', KEYS[6], id)
redis.call('ZREM', KEYS[7], id)
redis.call('ZREM', KEYS[8], id)
redis.call('ZREM', KEYS[11], member)
local at = 11
for i = 1, indexes do redis.call('ZREM', KEYS[at + i], member) end
at = at + indexes
for i = 0, alerts - 1 do
  local alertMember, alertId = ARGV[7 + 2 * i], ARGV[8 + 2 * i]
  redis.call('ZREM', KEYS[at + 1], alertMember)
  redis.call('ZREM', KEYS[at + 2], alertMember)
  redis.call('SREM', KEYS[at + 3], alertId)
  at = at + 3
end
return 1
