--[[
  Records sightings of one code a carrier's table lacks: how often, when first and last, and the first
  few wordings. Codes not seen for the retention period make room first; when the carrier already has
  the most codes kept, a new code is dropped (those it has keep counting). Every key expires once
  untouched for the retention period.

  Input:
    KEYS[1] the carrier's codes by last sighting (ms)
    KEYS[2] the carrier's codes by first sighting (ms)
    KEYS[3] the carrier's sighting counts, by code
    KEYS[4] this code's wordings by first sighting (ms)

    ARGV[1] the code
    ARGV[2] sightings to add
    ARGV[3] first sighting (ms)
    ARGV[4] last sighting (ms)
    ARGV[5] the most codes kept per carrier
    ARGV[6] the most wordings kept per code
    ARGV[7] codes last seen at or before this time (ms) are forgotten
    ARGV[8] retention (ms)
    ARGV[9] and after: wordings seen

  Output:
    1 recorded
    0 dropped: the carrier has the most codes kept already
]]
local SEEN, FIRST, COUNTS, WORDINGS = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local code = ARGV[1]

local stale = redis.call('ZRANGEBYSCORE', SEEN, '-inf', ARGV[7])
if #stale > 0 then
  redis.call('ZREM', SEEN, unpack(stale))
  redis.call('ZREM', FIRST, unpack(stale))
  redis.call('HDEL', COUNTS, unpack(stale))
end
if not redis.call('ZSCORE', SEEN, code) and redis.call('ZCARD', SEEN) >= tonumber(ARGV[5]) then
  return 0
end

redis.call('ZADD', SEEN, 'GT', ARGV[4], code)
redis.call('ZADD', FIRST, 'LT', ARGV[3], code)
redis.call('HINCRBY', COUNTS, code, ARGV[2])
for i = 9, #ARGV do
  redis.call('ZADD', WORDINGS, 'NX', ARGV[3], ARGV[i])
end
-- The first wordings seen stay: a later one only takes the place of none.
redis.call('ZREMRANGEBYRANK', WORDINGS, tonumber(ARGV[6]), -1)

redis.call('PEXPIRE', SEEN, ARGV[8])
redis.call('PEXPIRE', FIRST, ARGV[8])
redis.call('PEXPIRE', COUNTS, ARGV[8])
redis.call('PEXPIRE', WORDINGS, ARGV[8])
return 1
