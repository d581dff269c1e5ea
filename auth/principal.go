package auth

import (
	"context"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// Principal is the authenticated caller of a request. JWT validation, API
// keys and custom authorizers all produce one, and the blocks that run after
// them (rate limits, quotas, caches keyed per user, access logs) read it with
// [PrincipalFrom].
//
// Its fields are:
//
//	ID      string          // JWT subject, API key owner or authorizer principal id
//	Issuer  string          // JWT issuer, when a JWT was presented
//	KeyID   string          // ID of the API key used (never the key itself)
//	Method  string          // "jwt", "apikey", "authorizer" or a custom value
//	Scopes  []string        // scopes granted to the caller
//	Claims  map[string]any  // token claims or authorizer context
//
// A Principal found in a context may be shared between requests (for
// example one cached per token) and must be treated as read only.
type Principal = reqctx.Principal

// Authentication methods recorded in [Principal].Method.
const (
	MethodJWT        = "jwt"
	MethodAPIKey     = "apikey"
	MethodAuthorizer = "authorizer"
)

// PrincipalFrom returns the authenticated caller of the request whose
// context is ctx, or nil when no block of this package authenticated it.
func PrincipalFrom(ctx context.Context) *Principal {
	return reqctx.PrincipalFrom(ctx)
}

// WithPrincipal returns a copy of ctx carrying p. Authentication written
// outside this package uses it so the blocks after it see the caller.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return reqctx.WithPrincipal(ctx, p)
}

// ClaimsFrom returns the claims of the request's principal, or nil when
// there is no principal. The map must not be modified.
func ClaimsFrom(ctx context.Context) Claims {
	if p := reqctx.PrincipalFrom(ctx); p != nil {
		return Claims(p.Claims)
	}
	return nil
}
