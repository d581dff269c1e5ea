// Package reqctx carries the facts the gateway learns about a request (its ID,
// stage, route, path parameters, client address and error handler) through the
// request context, so that every block can read them without importing the
// root package. The root package re-exports typed accessors for users.
package reqctx

import (
	"context"
	"net/http"
	"net/netip"
	"time"
)

// Param is one path parameter captured by the router.
type Param struct {
	Key   string
	Value string
}

// Params is the ordered list of path parameters of a request.
type Params []Param

// Get returns the value of the named parameter and whether it was present.
func (ps Params) Get(name string) (string, bool) {
	for i := range ps {
		if ps[i].Key == name {
			return ps[i].Value, true
		}
	}
	return "", false
}

// ByName returns the value of the named parameter, or "" when absent.
func (ps Params) ByName(name string) string {
	v, _ := ps.Get(name)
	return v
}

// ErrorHandler renders an error to the client.
type ErrorHandler = func(http.ResponseWriter, *http.Request, error)

// AddCopy records r as a copy of the request passed on by the gateway;
// beyond three, copies are not recorded.
func (i *Info) AddCopy(r *http.Request) {
	for n, c := range i.Copies {
		if c == nil || c == r {
			i.Copies[n] = r
			return
		}
	}
}

// SetRequestURI rewrites the RequestURI of every recorded copy of the
// request with f, for a block that removed part of the query (an API key)
// and must not leave it in RequestURI for loggers to print.
func (i *Info) SetRequestURI(f func(string) string) {
	for _, c := range i.Copies {
		if c != nil && c.RequestURI != "" {
			c.RequestURI = f(c.RequestURI)
		}
	}
}

// Info is everything the gateway records about one request. One Info is
// allocated per request and never modified after the route handler starts,
// except by the gateway itself before dispatch.
type Info struct {
	// RequestID is the request's ID, as echoed in RequestIDHeader.
	RequestID string
	// RequestIDHeader is the canonical name of the header that carries
	// the request ID to the client and to upstreams; "" means
	// X-Request-Id.
	RequestIDHeader string
	// Copies are the requests the gateway passed on for this one, the
	// request it received first: each has its own RequestURI, which a
	// block removing a secret from the query must rewrite in all of them
	// (see [Info.SetRequestURI]), since loggers around the gateway print it.
	Copies [3]*http.Request
	// Stage is the name of the stage serving the request.
	Stage string
	// StageVars are the stage variables of the deployment serving the
	// request. The map is shared and must not be modified.
	StageVars map[string]string
	// DeploymentID identifies the deployment serving the request.
	DeploymentID string
	// Canary reports whether the request was routed to the stage's canary.
	Canary bool
	// Route is the route template that matched, e.g. "/users/:id".
	Route string
	// RouteName is the optional name given to the route.
	RouteName string
	// Params are the path parameters captured by the router.
	Params Params
	// ClientIP is the client's address, resolved through trusted proxies.
	ClientIP netip.Addr
	// PeerTrusted reports whether the direct peer is a trusted proxy, in
	// which case inbound forwarding headers may be kept.
	PeerTrusted bool
	// ErrorHandler renders errors for this request; nil means the default.
	ErrorHandler ErrorHandler

	// Upstream is the name of the upstream the request was proxied to.
	Upstream string
	// UpstreamLatency is the time the upstream took to answer with its
	// response headers (summed over attempts), the "integration latency".
	UpstreamLatency time.Duration

	// The fields below are annotations the blocks leave for access logs,
	// metrics and traces. Each is written by the block that owns it, on the
	// request's goroutine, and read once the handler chain has returned.

	// CacheStatus is the response cache's verdict: "hit", "miss", "bypass"
	// or "stale"; empty when no cache ran.
	CacheStatus string
	// Limiter names the rate limiter or quota that decided the request's
	// fate when it was rejected or let through by a fallback policy.
	Limiter string
	// LimitDecision is the rate limiting outcome: "allowed", "throttled",
	// "quota", "fail-open" or "fail-closed"; empty when no limiter ran.
	LimitDecision string
	// Retries counts the extra upstream attempts made for the request.
	Retries int
	// LegFailures counts the aggregate legs that failed.
	LegFailures int
	// ErrorType classifies why the gateway answered with an error, in the
	// style of Amazon's gateway response types: "UNAUTHORIZED",
	// "ACCESS_DENIED", "THROTTLED", "QUOTA_EXCEEDED", "CIRCUIT_OPEN",
	// "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "RESOURCE_NOT_FOUND",
	// ... Empty when the gateway itself reported no error. When a block
	// renders an error without setting it, problem.Error derives it from the
	// status.
	ErrorType string
	// Principal is the authenticated caller. [WithPrincipal] records it
	// here as well as in the derived context it returns, so that layers
	// running outside the authentication block (access logs, metrics) can
	// read it once the handler chain has returned.
	Principal *Principal
}

// SetError records t as the request's error type unless one is already
// set, so the block closest to the cause wins. It is safe on a nil Info.
func (i *Info) SetError(t string) {
	if i != nil && i.ErrorType == "" {
		i.ErrorType = t
	}
}

type key struct{}

// With returns a copy of ctx carrying info.
func With(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the Info stored in ctx, or nil when the request did not go
// through a gateway.
func From(ctx context.Context) *Info {
	info, _ := ctx.Value(key{}).(*Info)
	return info
}

// Principal is the authenticated caller of a request, set by an
// authentication block and read by the blocks after it (rate limits, caches
// keyed per user, access logs).
type Principal struct {
	// ID identifies the caller: the JWT subject, the API key's owner, or the
	// principal id returned by a custom authorizer.
	ID string
	// Issuer is the JWT issuer, when the caller presented a JWT.
	Issuer string
	// KeyID is the ID of the API key used, never the key itself.
	KeyID string
	// Method names how the caller was authenticated: "jwt", "apikey",
	// "authorizer", or a custom value.
	Method string
	// Scopes are the scopes granted to the caller.
	Scopes []string
	// Claims are the token claims or the authorizer's context. Read only.
	Claims map[string]any
}

type principalKey struct{}

// WithPrincipal returns a copy of ctx carrying p. When ctx carries an
// [Info], p is also recorded in its Principal field, so the layers around
// the authentication block see who the caller was.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	if info := From(ctx); info != nil {
		info.Principal = p
	}
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal stored in ctx, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
