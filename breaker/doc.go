// Package breaker is a circuit breaker for upstream calls. It follows the
// state machine of github.com/sony/gobreaker/v2 (closed, open, half-open;
// the same meaning for MaxRequests and the open interval) and uses its
// types, its SharedDataStore interface and its shared-state format, while
// reading time from an injectable clock and sharing state without holding a
// distributed lock for the length of a call.
//
// A [Breaker] is two-step: [Breaker.Allow] admits an attempt or rejects it
// with an error matching [ErrOpen], and [Breaker.Done] reports the attempt's
// status and error. The proxy package keeps one breaker per upstream (or per
// route and upstream) and calls it around every attempt; [Breaker.Handler]
// wraps any http.Handler.
//
// # States
//
// A closed breaker counts results. It opens when [Settings.ConsecutiveFailures]
// attempts fail in a row, or when failures reach [Settings.FailureRatio] of
// at least [Settings.MinRequests] attempts within the rolling
// [Settings.Window]. An open breaker rejects every attempt, without calling
// the upstream, for [Settings.OpenInterval]; then it is half-open and admits
// at most [Settings.MaxRequests] probes (a probe the client abandoned gives
// its place to another). That many successes close it; one failure opens it
// again. [Settings.OnStateChange] is
// called on every change and [Breaker.State] reads the state.
//
// By default ([DefaultClassify]) connection errors, timeouts and 5xx
// statuses are failures, 4xx statuses are successes, and a canceled request
// (the client went away) counts as nothing.
//
// # Rejections
//
// [Problem] turns a rejection into a 503 Service Unavailable problem with a
// Retry-After header giving the seconds until the breaker admits probes.
// [Breaker.Handler] renders it through problem.Error and records the error
// type "CIRCUIT_OPEN" for logs and metrics.
//
// # Sharing state between instances
//
// With [Settings.Store], a [SharedDataStore] (gobreaker's interface;
// redisstore implements it on Redis), a breaker that trips writes its state
// in gobreaker's SharedState format under gobreaker's key, and closed
// breakers of other instances read it at most every [Settings.SyncInterval]
// and open until the same moment. One instance's trip thus protects the
// upstream from all of them. When the store fails, [Settings.OnError] is
// told and the breaker goes on with its local state.
//
// # Time
//
// Every time-dependent decision reads [Settings.Now], so tests move a clock
// instead of sleeping.
package breaker
