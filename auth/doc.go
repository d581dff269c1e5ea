// Package auth authenticates and authorizes requests in front of an API:
// JSON Web Tokens verified against static keys, JWKS URLs or OpenID Connect
// discovery; API keys; custom authorizer functions; and per-route scopes.
// Every block is a func(http.Handler) http.Handler usable in any router or
// in a gatewaykit gateway, and every one of them leaves the same
// [Principal] in the request context.
//
// # JWT
//
// [NewJWT] builds a [*JWTAuth] from a [JWTConfig] naming one or more
// [Issuer]s, each with its own keys and audiences:
//
//	ja, err := auth.NewJWT(auth.JWTConfig{
//		Issuers: []auth.Issuer{{
//			Issuer:    "https://id.example.com/",
//			JWKSURL:   "https://id.example.com/.well-known/jwks.json",
//			Audiences: []string{"api"},
//		}},
//		ClaimHeaders: []auth.ClaimHeader{{Claim: "sub", Header: "X-User-Id"}},
//	})
//	if err != nil { ... }
//	defer ja.Close()
//	handler := ja.Handler(api) // or gw.Group("/v1").Use(ja.Middleware())
//
// Keys come from a JWKS URL, refreshed in the background by jwx's jwk.Cache
// with bounded fetch time and size (a refresh that fails keeps the last
// good key set); from OpenID Connect discovery (the issuer's
// /.well-known/openid-configuration names the jwks_uri); or from static
// keys given in code. A token naming a key id its issuer's set does not
// hold triggers at most one refresh per [JWTConfig].MinRefreshInterval,
// shared by all concurrent requests, so a flood of random key ids never
// becomes a flood of fetches. [JWTConfig].OnKeysRefresh reports every
// fetch for metrics. A [*JWTAuth] that fetches keys owns background
// goroutines and must be closed; [JWT] is the one-line form, for static
// keys only.
//
// # Validation
//
// Validation follows RFC 8725 and is strict by default: the algorithm must
// be on the allow-list and match the type, curve and declared algorithm
// of the key that verifies it; "none", algorithm confusion (an HMAC token
// checked against a public key), a missing kid when the keys have ids,
// and the jku, x5u, jwk, x5c, crit, b64 and cty headers are rejected; exp
// is required; nbf, iat, iss and aud are checked with a small clock skew;
// the token size is bounded before any parsing; JWE and the JSON
// serialisation of JWS are rejected; RSA keys under 2048 bits and keys
// meant for encryption are ignored. Verified tokens are cached by the
// SHA-256 of the token until they expire or for [JWTConfig].CacheTTL,
// in bounded memory, so a repeated token skips signature verification;
// removing a key from a key set revokes the cached tokens it signed.
//
// # Token sources
//
// The token is read from the Authorization header's Bearer credentials by
// default; [TokenFromCookie] and [TokenFromHeader] name other places. A
// request presenting more than one token is rejected with 400.
//
// # Scopes and claims
//
// [RequireScopes] guards a route with the scopes it needs, read from the
// caller's [Principal]: for JWTs, the "scope" (space separated) and "scp"
// (array) claims, or the claims named in [JWTConfig].ScopeClaims. A caller
// lacking one gets 403 insufficient_scope. [ClaimHeader] copies a claim to
// a request header for the upstream (for example sub to X-User-Id), after
// removing any copy the client sent. Handlers read the caller with
// [PrincipalFrom] and its claims with [ClaimsFrom].
//
// # API keys and custom authorizers
//
// (Documented with the API key and authorizer blocks.)
//
// # Errors
//
// Failures are RFC 9457 problem+json responses rendered through the
// gateway's error handler: 401 with a WWW-Authenticate Bearer challenge
// carrying an RFC 6750 error code ([ErrUnauthorized], [ErrInvalidToken],
// [ErrExpiredToken]), 400 for an ambiguous request ([ErrInvalidRequest]),
// 403 for a missing scope or a denial ([ErrInsufficientScope],
// [ErrForbidden]), and 503 when an issuer's keys could never be fetched
// ([ErrKeysUnavailable]). The detail never reveals why a token failed
// beyond the error code; the cause is kept in the problem's Err for logs.
// The request's error type (UNAUTHORIZED, EXPIRED_TOKEN, ACCESS_DENIED,
// ...) is recorded for access logs and metrics.
package auth
