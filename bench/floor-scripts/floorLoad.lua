--[[
  The least a batched poll's read can cost: each doc and its version, in one command.

  Input: the command's first argument is the count of KEYS.
    KEYS the trackings

  Output:
    per tracking: its doc and its version (nil each when it is gone)
]]
local out = {}
for i, key in ipairs(KEYS) do
  local fields = redis.call('HMGET', key, 'doc', 'v')
  out[2 * i - 1] = fields[1] or false
  out[2 * i] = fields[2] or false
end
return out
