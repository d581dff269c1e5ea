// Package ratelimit throttles requests and counts them against quotas, in
// the manner of Amazon API Gateway: a throttle is a token bucket (a rate
// and a burst), a quota caps the requests of a calendar day, week or month,
// and a usage plan binds API keys to a throttle and a quota.
//
// # Throttles
//
// A [Limit] is a token bucket, decided with the generic cell rate algorithm
// (GCRA): a [Limiter] built with [New] admits at most Capacity requests at
// once and one more per refill interval, exactly, however many requests
// race. Limits apply at any level by placing limiters there: on the whole
// gateway, on a group, on a route. Every limiter a request passes through
// is enforced.
//
//	lim, err := ratelimit.New(ratelimit.PerSecond(100).Burst(200), ratelimit.ByAPIKey())
//	v1.Use(lim.Handler)
//
// [Throttle] builds the same middleware in one line and reports mistakes
// through the gateway's validation instead of an error.
//
// # Keys
//
// By default a limiter counts every request against one key. [ByAPIKey],
// [ByPrincipal], [ByIP], [ByIPPrefix], [ByHeader] and [ByFunc] count per
// client instead.
// The principal keys read the caller authenticated by a block in front of
// the limiter; a request without one passes untouched and creates no
// state, so requests that authentication refuses cannot fill the store.
// [ByIP] uses the address the gateway resolved through its trusted
// proxies, never a forwarding header it did not vouch for.
//
// # Quotas
//
// A [Quota] ([Daily], [Weekly], [Monthly]) counts requests per key in
// windows that follow the calendar in UTC, or in a fixed zone set with
// [Quota.Offset]. A request is admitted only if the throttle and the quota
// both allow it, and only admitted requests count. [Limiter.UpdateQuota]
// resets a key's count or extends what remains.
//
// # Usage plans
//
// [Plans] enforces usage plans. A [Plan] is a throttle and a quota that
// apply to each key assigned to it (by default the API key the principal
// authenticated with), on the stages and routes it covers. A request whose
// key is in no plan, or whose plan does not cover it, is refused with 403
// ([ErrNoPlan]) and creates no state. A plan may add tighter throttles
// on some of its routes ([RouteThrottle]). [Plans.Usage] and [Plans.Report]
// return the requests admitted per key per day; [Plans.UpdateQuota]
// resets or extends a key's remaining quota.
//
// # Responses
//
// A refusal is a 429 Too Many Requests problem document wrapping
// [ErrLimited] or [ErrQuotaExceeded] (its "limit" member says "throttle"
// or "quota"), with Retry-After and the RateLimit-Policy and RateLimit
// header fields of the IETF draft. Admitted responses carry the RateLimit
// fields too, unless [Headers] turns them off. The decision is recorded in
// the request's annotations (Limiter, LimitDecision, ErrorType
// "THROTTLED" or "QUOTA_EXCEEDED") for logs and metrics.
//
// # Stores
//
// A [MemoryStore] keeps state in the process: sharded, allocation-free
// when deciding for a known key, with a hard bound on the keys it tracks.
// The redisstore package shares state between gateway instances through
// Redis. A store that can fail is given a [Timeout]; when it fails, the
// limiter fails open ([FailOpen], optionally deciding with a local
// fallback store) or closed ([FailClosed], 503), backs off for a while and
// then asks the store again, so it recovers by itself.
//
// # Time
//
// Every time-dependent part takes a clock ([Clock], MemoryOptions.Now), so
// tests move time instead of sleeping.
package ratelimit
