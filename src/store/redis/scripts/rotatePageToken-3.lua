--[[
  Gives a tracking a new public page token: the record names the new one, the new token's key opens
  the tracking and the old one's is gone, in one step. The version moves, so a poll that loaded the
  record before cannot write the old token back.

  Input:
    KEYS[1] the tracking
    KEYS[2] its current page token's key
    KEYS[3] the new page token's key

    ARGV[1] expected version
    ARGV[2] record with the new token (JSON)
    ARGV[3] what the new token's key holds (tracking id and merchant id)

  Output:
     1 rotated
     0 conflict: the tracking was written since the caller read it (nothing written)
    -1 gone
]]
local tracking = KEYS[1]
if redis.call('EXISTS', tracking) == 0 then return -1 end
local version = tonumber(redis.call('HGET', tracking, 'v'))
if version ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', tracking, 'doc', ARGV[2], 'v', version + 1)
redis.call('DEL', KEYS[2])
redis.call('SET', KEYS[3], ARGV[3])
return 1
