--[[
  The least a batched poll's write can cost: a compare-and-set of each doc and its next poll time.

  Input: the command's first argument is the count of KEYS.
    KEYS[1] the due index
    KEYS[2..] the trackings

    ARGV, per tracking: expected version, doc, next poll at (ms), id

  Output:
    the count of trackings saved
]]
local saved = 0
for i = 2, #KEYS do
  local a = 4 * (i - 2)
  if tonumber(redis.call('HGET', KEYS[i], 'v')) == tonumber(ARGV[a + 1]) then
    redis.call('HSET', KEYS[i], 'doc', ARGV[a + 2], 'v', tonumber(ARGV[a + 1]) + 1)
    redis.call('ZADD', KEYS[1], ARGV[a + 3], ARGV[a + 4])
    saved = saved + 1
  end
end
return saved
