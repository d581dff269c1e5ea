package cache

import (
	"net/http"
	"slices"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// UnauthorizedAction says what happens to a request that asks to refresh
// its entry (Cache-Control: max-age=0 or no-cache) without being authorized
// to.
type UnauthorizedAction int

const (
	// IgnoreUnauthorized serves the request as if it had not asked, and
	// sets [HeaderInvalidation] to "ignored" on the response. Browsers send
	// max-age=0 on reload, so this is the default.
	IgnoreUnauthorized UnauthorizedAction = iota
	// RejectUnauthorized answers 403 Forbidden with [ErrInvalidationDenied].
	RejectUnauthorized
)

// Invalidation sets who may refresh an entry from the client side: a request
// asking for it is honoured only when authorize returns true (for example
// [HasScope]), and handled by action otherwise. If Invalidation is not given, or authorize is nil, no
// request is authorized and the action is [IgnoreUnauthorized].
func Invalidation(authorize func(*http.Request) bool, action UnauthorizedAction) Option {
	return func(c *config) {
		if action != IgnoreUnauthorized && action != RejectUnauthorized {
			c.fail("Invalidation: unknown action %d", action)
			return
		}
		c.authorize, c.unauthorized = authorize, action
	}
}

// HasScope returns a function for [Invalidation] that authorizes the
// requests whose authenticated principal was granted scope, in the manner
// of Amazon's InvalidateCache permission. Put the authentication block
// before the cache.
func HasScope(scope string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		p := reqctx.PrincipalFrom(r.Context())
		return p != nil && slices.Contains(p.Scopes, scope)
	}
}
