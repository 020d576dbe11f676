-- Finds a finished job's owner by its id alone. KEYS[1] the job's owner key, ARGV[1] tombstone
-- TTL ms. Returns the owner, or false when none is known: then the job is marked gone, so that a
-- bind arriving after the finish (EE2 can start a job before its run_job reply is back) frees it.
local owner = redis.call('GET', KEYS[1])
if not owner then
  redis.call('SET', KEYS[1], '\0gone', 'PX', ARGV[1])
  return false
end
if owner == '\0gone' then
  return false
end
return owner
