-- parentDepth (read only). ARGV[3] job id. Returns the depth, or -1 if not a live parent lease.
local id = 'j:' .. ARGV[3]
local expires_at = redis.call('ZSCORE', parents, id)
if not expires_at or tonumber(expires_at) <= now then
  return -1
end
local claim = redis.call('HGET', claims, id)
return tonumber(string.match(claim, '^%d:(%d+):'))
