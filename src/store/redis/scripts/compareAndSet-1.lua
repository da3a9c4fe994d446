--[[
  Replaces a document only if it is still the one the caller read (its expiry kept).

  Input:
    KEYS[1] the document

    ARGV[1] the document as the caller read it
    ARGV[2] its replacement

  Output:
    1 replaced
    0 it changed meanwhile, or is gone
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
