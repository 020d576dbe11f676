-- A finished job's release by the caller who claims to own it, with its owner found in the same
-- step (one server or Sentinel: the owner key and the claimant's keys on one node). KEYS[1..4] the
-- claimant's keys, KEYS[5] the job's owner key. ARGV[1] the claimant, ARGV[3] job id, ARGV[4]
-- tombstone TTL ms, ARGV[5] key TTL ms.
-- Returns {0}: no owner known (the job is marked gone, as owner_release.lua does, so a late bind
-- frees it); {1, freed}: the claimant owned it, its lease is released and its owner key deleted
-- (as release.lua does); {2, owner}: someone else owns it, nothing changed (the caller decides
-- whether the claimant may free it).
local job = ARGV[3]
local owner = redis.call('GET', KEYS[5])
if not owner then
  redis.call('SET', KEYS[5], GONE, 'PX', ARGV[4])
  return {0}
end
if owner == GONE then
  return {0}
end
if owner ~= user then
  return {2, owner}
end
local swept = sweep()
local freed = release_job(job, tonumber(ARGV[4]), tonumber(ARGV[5]))
redis.call('DEL', KEYS[5])
wake(freed + swept)
return {1, freed}
