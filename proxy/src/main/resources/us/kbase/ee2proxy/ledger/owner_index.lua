-- Records a job's owner when its lease is bound or adopted. KEYS[1] the job's owner key,
-- ARGV[1] the user, ARGV[2] TTL ms. Returns 0 (and records nothing) when the job was released by
-- id before anyone owned it (see owner_release.lua): the caller then releases the new lease.
if redis.call('GET', KEYS[1]) == '\0gone' then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
