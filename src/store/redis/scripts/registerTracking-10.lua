--[[
  Registers a tracking once per merchant, carrier and number, with its public page token and, when it
  has an order id, its entry among its order's parcels, and queues its first poll.

  Input:
    KEYS[1] the number's key (merchant, carrier, number -> tracking id)
    KEYS[2] the tracking
    KEYS[3] due (the carrier's poll queue)
    KEYS[4] alerts due
    KEYS[5] merchant's list of all trackings
    KEYS[6] merchant's list for the carrier
    KEYS[7] merchant's list for the status
    KEYS[8] merchant's list for the carrier and the status
    KEYS[9] its page token's key (token -> tracking)
    KEYS[10] its order's parcels (merchant and order id; never written for a tracking without one)

    ARGV[1] tracking id
    ARGV[2] record (JSON)
    ARGV[3] list member (creation time and id)
    ARGV[4] first poll due at (ms)
    ARGV[5] first alert check at (ms), '' for none
    ARGV[6] what the page token's key holds (tracking id and merchant id)
    ARGV[7] '1' when the tracking has an order id, '' otherwise

  Output:
    the id of the tracking: ARGV[1] when created, the existing one's otherwise
]]
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
local id = ARGV[1]
redis.call('SET', KEYS[1], id)
redis.call('HSET', KEYS[2], 'doc', ARGV[2], 'events', '[]', 'v', 1)
for i = 5, 8 do redis.call('ZADD', KEYS[i], 0, ARGV[3]) end
redis.call('SET', KEYS[9], ARGV[6])
if ARGV[7] ~= '' then redis.call('ZADD', KEYS[10], 0, ARGV[3]) end
-- A new tracking is due at once: its one pending poll.
redis.call('ZADD', KEYS[3], ARGV[4], id)
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[4], ARGV[5], id) end
return id
