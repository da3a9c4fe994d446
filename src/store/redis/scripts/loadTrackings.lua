--[[
  What polls need of several trackings, in one command.

  Input:
    KEYS[i] the trackings (any number: the command's first argument is their count)

  Output:
    for each tracking in turn: its record, timeline and version (nil each when it is gone)
]]
local out = {}
for i, key in ipairs(KEYS) do
  local fields = redis.call('HMGET', key, 'doc', 'events', 'v')
  out[3 * i - 2] = fields[1] or false
  out[3 * i - 1] = fields[2] or false
  out[3 * i] = fields[3] or false
end
return out
