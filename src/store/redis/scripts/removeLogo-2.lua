--[[
  Takes the logo out of a merchant's settings and deletes its bytes, only if the settings are still
  the ones the caller read.

  Input:
    KEYS[1] the settings document
    KEYS[2] the logo's bytes

    ARGV[1] the settings document as the caller read it
    ARGV[2] its replacement, without the logo

  Output:
    1 removed
    0 the settings changed meanwhile, or are gone
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
return 1
