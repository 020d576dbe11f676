-- parentClaim (read only). ARGV[3] job id. Returns the claim "<1>:<depth>:<app>" of a live bound
-- parent lease, or false (nil) for anything else.
local id = 'j:' .. ARGV[3]
local expires_at = redis.call('ZSCORE', parents, id)
if not expires_at or tonumber(expires_at) <= now then
  return false
end
return redis.call('HGET', claims, id)
