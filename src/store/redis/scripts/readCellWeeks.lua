--[[
  Cell-weeks as the read cache takes them: the fields of each hash with its expiry, as flat lists
  (HGETALL's own answer becomes a map of each hash's own field names in the client, which costs more
  than reading the hash).

  Input:
    KEYS[i] cell-week hashes (any number: the command's first argument is their count)

  Output:
    for each hash in turn: a list of its expiry (PEXPIRETIME: ms, -1 for none, -2 when it is gone)
    then its fields and values, in HGETALL's order
]]
local out = {}
for i, key in ipairs(KEYS) do
  local fields = redis.call('HGETALL', key)
  table.insert(fields, 1, redis.call('PEXPIRETIME', key))
  out[i] = fields
end
return out
