--[[
  Points a merchant's settings at a new logo and stores its bytes, only if the settings are still the
  ones the caller read; the bytes of the logo they replace go in the same step, so no reader ever
  finds a document naming bytes that are gone.

  Input:
    KEYS[1] the settings document
    KEYS[2] the new logo's bytes
    KEYS[3] the replaced logo's bytes (KEYS[2] again when there was none, or the same image)

    ARGV[1] the settings document as the caller read it
    ARGV[2] its replacement
    ARGV[3] the new logo's bytes

  Output:
    1 replaced
    0 the settings changed meanwhile, or are gone
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[3])
redis.call('SET', KEYS[1], ARGV[2])
if KEYS[3] ~= KEYS[2] then redis.call('DEL', KEYS[3]) end
return 1
