--[[
  Replaces a field of a hash only if it is there: a late writer never brings back what was deleted or
  expired.

  Input:
    KEYS[1] the hash
    ARGV[1] the field
    ARGV[2] its new value

  Output:
    1 replaced
    0 the field is gone (nothing written)
]]
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
