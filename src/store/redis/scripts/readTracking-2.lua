--[[
  A tracking and its next poll time in one round trip.

  Input:
    KEYS[1] the tracking
    KEYS[2] due (its carrier's poll queue)

    ARGV[1] tracking id
    ARGV[2] the version the caller already holds, '' for none

  Output:
    nil when the tracking is gone; else {record, timeline, version, due score}, where record and
    timeline are nil when the caller holds this version, and the score nil when no poll is waiting
]]
local fields = redis.call('HMGET', KEYS[1], 'doc', 'events', 'v')
if not fields[1] then return false end
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
if fields[3] == ARGV[2] then return {false, false, fields[3], score} end
return {fields[1], fields[2], fields[3], score}
