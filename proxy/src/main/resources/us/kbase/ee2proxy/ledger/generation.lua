-- The ledger's generation: which data set Redis holds. KEYS[1] the generation key.
-- ARGV[1] 'get': returns the value; when there is none and ARGV[2] is given, writes ARGV[2]
--   ('rebuilding:<id>' or 'ready:<id>') first. A key that is gone means Redis lost its data (or
--   never had a ledger).
-- ARGV[1] 'ready', ARGV[2] the id: 'rebuilding:<id>' becomes 'ready:<id>' (nothing else changes).
-- ARGV[1] 'lost', ARGV[2] 'rebuilding:<id>': a replica saw a failover that may have lost writes;
--   a ready generation becomes ARGV[2] (one already rebuilding stays as it is).
-- Returns the value after the step.
local value = redis.call('GET', KEYS[1])
if ARGV[1] == 'get' then
  if not value and ARGV[2] then
    redis.call('SET', KEYS[1], ARGV[2])
    value = ARGV[2]
  end
elseif ARGV[1] == 'lost' then
  if not value or string.sub(value, 1, 6) == 'ready:' then
    redis.call('SET', KEYS[1], ARGV[2])
    value = ARGV[2]
  end
elseif value == 'rebuilding:' .. ARGV[2] then
  value = 'ready:' .. ARGV[2]
  redis.call('SET', KEYS[1], value)
end
return value
