package redisstore

import (
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/ratelimit"
)

// rateLimitLua holds the functions the rate limit scripts share. Times are
// Unix microseconds (exact in Lua's doubles for the next few centuries);
// numbers are written back with "%.0f", since Lua's default format would
// round them. The window function computes the same calendar windows as
// ratelimit.Quota.Window: days, ISO weeks and months at midnight in the
// zone offset seconds east of UTC. Quota counts saturate at
// ±ratelimit.MaxQuota, which keeps them exact in doubles.
var rateLimitLua = `
local maxquota = ` + strconv.FormatInt(ratelimit.MaxQuota, 10) + `
local floor = math.floor
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = floor(y / 400)
  local yoe = y - era * 400
  local mp = (m > 2) and (m - 3) or (m + 9)
  local doy = floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end
local function civil_from_days(z)
  z = z + 719468
  local era = floor(z / 146097)
  local doe = z - era * 146097
  local yoe = floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100))
  local mp = floor((5 * doy + 2) / 153)
  local m = (mp < 10) and (mp + 3) or (mp - 9)
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return y, m
end
local function window(period, offset, sec)
  local day = floor((sec + offset) / 86400)
  local first, nxt
  if period == 2 then
    first = day - (day + 3) % 7
    nxt = first + 7
  elseif period == 3 then
    local y, m = civil_from_days(day)
    first = days_from_civil(y, m, 1)
    if m == 12 then nxt = days_from_civil(y + 1, 1, 1) else nxt = days_from_civil(y, m + 1, 1) end
  else
    first, nxt = day, day + 1
  end
  return first * 86400 - offset, nxt * 86400 - offset
end
local function clock(override)
  if override > 0 then return override end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local function quota_used(key, start)
  local v = redis.call('HMGET', key, 'w', 'n')
  if v[1] and tonumber(v[1]) == start then return tonumber(v[2] or 0) end
  return 0
end
`

// takeScript decides one request.
// KEYS: bucket, quota hash, usage hash.
// ARGV: interval µs (0: no throttle), capacity, cost, quota max (0: no
// quota), period, offset s, record usage (0/1), usage days kept, clock
// override µs (0: Redis TIME).
// Returns allowed, reason, remaining, retry µs, reset µs, quota
// remaining, quota reset µs.
var takeScript = redis.NewScript(rateLimitLua + `
local iv, cap, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local qmax, period, offset = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local record, keep = tonumber(ARGV[7]), tonumber(ARGV[8])
local now = clock(tonumber(ARGV[9]))
local allowed, reason, remaining, retry, reset, qrem, qreset = 1, 0, 0, 0, 0, 0, 0
local tat, newtat, tau = now, now, 0
if iv > 0 then
  tat = tonumber(redis.call('GET', KEYS[1]) or 0)
  if tat < now then tat = now end
  tau = iv * cap
  newtat = tat + iv * n
  if n > cap then
    allowed, reason, retry = 0, 1, math.max(tat - now, iv)
    remaining, reset = floor((tau - (tat - now)) / iv), tat - now
  elseif newtat - now > tau then
    allowed, reason, retry = 0, 1, newtat - now - tau
    remaining, reset = floor((tau - (tat - now)) / iv), tat - now
  else
    remaining, reset = floor((tau - (newtat - now)) / iv), newtat - now
  end
end
local start, stop, used = 0, 0, 0
if qmax > 0 then
  start, stop = window(period, offset, floor(now / 1000000))
  used = quota_used(KEYS[2], start)
  local over = n > qmax or used > qmax - n
  if allowed == 0 and over then
    reason, retry = 2, math.max(retry, stop * 1000000 - now)
  elseif allowed == 1 then
    if over then
      allowed, reason, retry = 0, 2, stop * 1000000 - now
      if iv > 0 then remaining, reset = floor((tau - (tat - now)) / iv), tat - now end
    else
      used = used + n
    end
  end
  qrem, qreset = math.max(qmax - used, 0), stop * 1000000 - now
end
if allowed == 1 then
  if iv > 0 then
    redis.call('SET', KEYS[1], string.format('%.0f', newtat), 'PX', floor((newtat - now) / 1000) + 1)
  end
  if qmax > 0 then
    redis.call('HSET', KEYS[2], 'w', string.format('%.0f', start), 'n', string.format('%.0f', used))
    redis.call('EXPIREAT', KEYS[2], string.format('%.0f', stop + 86400))
  end
  if record == 1 then
    local day = floor((floor(now / 1000000) + offset) / 86400)
    if redis.call('HINCRBY', KEYS[3], string.format('%.0f', day), n) == n then
      for _, f in ipairs(redis.call('HKEYS', KEYS[3])) do
        if tonumber(f) <= day - keep then redis.call('HDEL', KEYS[3], f) end
      end
    end
    redis.call('EXPIRE', KEYS[3], keep * 86400)
  end
end
return {allowed, reason, remaining, retry, reset, qrem, qreset}
`)

// quotaScript reads or changes a quota counter.
// KEYS: quota hash. ARGV: period, offset s, reset (0/1), extend, clock
// override µs. Returns used, window start s, window end s.
var quotaScript = redis.NewScript(rateLimitLua + `
local period, offset = tonumber(ARGV[1]), tonumber(ARGV[2])
local reset, extend = tonumber(ARGV[3]), tonumber(ARGV[4])
local now = clock(tonumber(ARGV[5]))
local start, stop = window(period, offset, floor(now / 1000000))
local used = quota_used(KEYS[1], start)
if reset == 1 then used = 0 end
used = math.min(math.max(used - extend, -maxquota), maxquota)
if reset == 1 or extend ~= 0 then
  redis.call('HSET', KEYS[1], 'w', string.format('%.0f', start), 'n', string.format('%.0f', used))
  redis.call('EXPIREAT', KEYS[1], string.format('%.0f', stop + 86400))
end
return {used, start, stop}
`)
