-- A finished job's release by the caller who claims to own it, on a Cluster (the job's owner key
-- is in another slot, so finish.lua cannot read it): a bound lease of the job among the claimant's
-- own leases proves the claimant owns it (bind and adopt write the lease and the owner key for one
-- user). ARGV[3] job id, ARGV[4] tombstone TTL ms, ARGV[5] key TTL ms.
-- Returns {1, freed}: the claimant held it; its lease is released as release.lua does (the caller
-- then deletes the owner key). {0}: the claimant holds no lease of it (not bound yet, expired, or
-- someone else's): nothing changed, and the caller asks the owner key, as before.
local job = ARGV[3]
if not redis.call('ZSCORE', leases, 'j:' .. job) then
  return {0}
end
local swept = sweep()
local freed = release_job(job, tonumber(ARGV[4]), tonumber(ARGV[5]))
wake(freed + swept)
return {1, freed}
