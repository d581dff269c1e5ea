package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/sync/singleflight"
)

// AuthorizeFunc is a custom authorizer: it decides from a request's
// identity whether the request may proceed. It returns a [Decision] to
// allow; to refuse it returns an error wrapping [ErrUnauthorized] (401: the
// identity is not valid, for any route) or [ErrForbidden] (403: the caller
// may not make this request). Any other error, a panic, or a nil decision
// is a failure answered with 500 (503 for a timeout) that never reveals the
// error to the client.
//
// Decisions and refusals are cached (see [AuthorizerConfig]), so the
// function must decide only from what the [AuthorizerRequest] holds.
type AuthorizeFunc func(ctx context.Context, req *AuthorizerRequest) (*Decision, error)

// AuthorizerRequest is what an [AuthorizeFunc] decides from.
type AuthorizerRequest struct {
	// Identity holds the values of the identity sources, in the order of
	// [AuthorizerConfig].IdentitySources; none is empty.
	Identity []string
	// Method is the request method.
	Method string
	// Route is the template of the matched route ("/users/:id") in a
	// gateway, or the cleaned request path elsewhere.
	Route string
	// Path is the request path.
	Path string
	// Stage is the gateway stage serving the request, or "".
	Stage string
}

// Token returns the first identity value: the token of a token-type
// authorizer.
func (r *AuthorizerRequest) Token() string { return r.Identity[0] }

// Decision is an allow returned by an [AuthorizeFunc].
type Decision struct {
	// PrincipalID identifies the caller; required. It becomes the ID of
	// the request's [Principal].
	PrincipalID string
	// Context is passed on as the principal's Claims. It must not be
	// modified after it is returned.
	Context map[string]any
	// Scopes are granted to the principal.
	Scopes []string
	// Routes lists the routes the decision allows, each "*", a route
	// template ("/users/:id"), a method and a template ("GET /users/:id"),
	// or a prefix ("/admin/*", "GET /reports/*"). A decision with Routes
	// holds for every request with the same identity and is checked
	// against each request's route: a request on a route not listed is
	// refused with 403 without calling the function again. A decision
	// without Routes holds only for the method and path it was made for.
	Routes []string
}

// Defaults and limits of [AuthorizerConfig].
const (
	// DefaultAuthorizerTTL is how long decisions are cached by default.
	DefaultAuthorizerTTL = 300 * time.Second
	// MaxAuthorizerTTL is the longest accepted cache TTL.
	MaxAuthorizerTTL = 3600 * time.Second
	// DefaultAuthorizerCacheSize bounds the number of cached decisions by
	// default.
	DefaultAuthorizerCacheSize = 10000
	// DefaultAuthorizerTimeout bounds each call of the function by default.
	DefaultAuthorizerTimeout = 5 * time.Second
)

// AuthorizerConfig configures an [Authorizer]. Only Authorize is required.
type AuthorizerConfig struct {
	// Authorize decides. Required.
	Authorize AuthorizeFunc
	// IdentitySources are where the identity is read from. With one
	// source this is a token authorizer; with several, a request
	// authorizer. If nil, the default is the Authorization header. A
	// request missing any source is refused with 401 and the function is
	// not called.
	IdentitySources []IdentitySource
	// CacheTTL is how long a decision or refusal is reused for requests
	// with the same identity values (and, for decisions without Routes,
	// the same method and path). If 0, the default is
	// [DefaultAuthorizerTTL]; a negative value turns caching off; values
	// above [MaxAuthorizerTTL] are configuration errors. Failures are never
	// cached.
	CacheTTL time.Duration
	// CacheSize bounds the number of cached outcomes; the least recently
	// used is evicted. If 0, the default is [DefaultAuthorizerCacheSize].
	CacheSize int
	// Timeout bounds each call of Authorize; a call over it answers 503.
	// If 0, the default is [DefaultAuthorizerTimeout].
	Timeout time.Duration
	// Challenge is the WWW-Authenticate value sent with 401. If empty, the
	// default is "Bearer", with Realm when set.
	Challenge string
	// Realm is sent in the default challenge. If empty, no realm is sent.
	Realm string
	// ErrorHandler renders rejections. If nil, the default is
	// [problem.Error].
	ErrorHandler ErrorHandler
	// Now returns the current time, for cache expiry. If nil, the default
	// is time.Now.
	Now func() time.Time
}

// Authorizer runs a custom authorizer function in front of a handler and
// caches its decisions. It is safe for concurrent use; identical
// concurrent calls of the function are made once (single flight).
type Authorizer struct {
	fn         AuthorizeFunc
	sources    []IdentitySource
	ttl        time.Duration
	cache      *decisionCache // nil when caching is off
	timeout    time.Duration
	challenge  string
	errHandler ErrorHandler
	now        func() time.Time
	flight     singleflight.Group
}

// NewAuthorizer returns a custom authorizer configured by cfg.
func NewAuthorizer(cfg AuthorizerConfig) (*Authorizer, error) {
	var errs []error
	if cfg.Authorize == nil {
		errs = append(errs, errors.New("auth: AuthorizerConfig.Authorize is required"))
	}
	sources := cfg.IdentitySources
	if sources == nil {
		sources = []IdentitySource{IdentityHeader("Authorization")}
	}
	if len(sources) == 0 {
		errs = append(errs, errors.New("auth: AuthorizerConfig.IdentitySources is empty"))
	}
	for _, s := range sources {
		if err := s.validate(); err != nil {
			errs = append(errs, err)
		}
	}
	ttl := cfg.CacheTTL
	switch {
	case ttl == 0:
		ttl = DefaultAuthorizerTTL
	case ttl > MaxAuthorizerTTL:
		errs = append(errs, fmt.Errorf("auth: AuthorizerConfig.CacheTTL %v exceeds %v", ttl, MaxAuthorizerTTL))
	}
	size := cfg.CacheSize
	if size == 0 {
		size = DefaultAuthorizerCacheSize
	}
	if size < 0 {
		errs = append(errs, errors.New("auth: AuthorizerConfig.CacheSize is negative"))
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultAuthorizerTimeout
	}
	if timeout < 0 {
		errs = append(errs, errors.New("auth: AuthorizerConfig.Timeout is negative"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	a := &Authorizer{
		fn: cfg.Authorize, sources: sources, ttl: ttl, timeout: timeout,
		challenge: cfg.Challenge, errHandler: cfg.ErrorHandler, now: cfg.Now,
	}
	if a.challenge == "" {
		a.challenge = Challenge("Bearer", cfg.Realm, "", "", "")
	}
	if a.now == nil {
		a.now = time.Now
	}
	if ttl > 0 {
		a.cache = newDecisionCache(size)
	}
	return a, nil
}

// CustomAuthorizer returns a custom authorizer as middleware, for one-line
// use such as group.Use(auth.CustomAuthorizer(auth.AuthorizerConfig{
// Authorize: fn})). A configuration mistake is reported by the returned
// handler's Validate method, which a gateway calls when it deploys; used
// elsewhere, the handler answers every request with 500 problem+json.
// Prefer [NewAuthorizer] where an error can be handled.
func CustomAuthorizer(cfg AuthorizerConfig) func(http.Handler) http.Handler {
	a, err := NewAuthorizer(cfg)
	return func(next http.Handler) http.Handler {
		if err != nil {
			return invalidConfig{err}
		}
		return a.Handler(next)
	}
}

// Middleware returns a as a middleware: a.Handler.
func (a *Authorizer) Middleware() func(http.Handler) http.Handler { return a.Handler }
