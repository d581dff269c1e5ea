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
// Keys come from a JWKS URL, refreshed in the background with bounded
// fetch time and size (a refresh that fails keeps the last good key
// set); from OpenID Connect discovery (the issuer's
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
// removing a key from a key set, or replacing it under the same key id,
// revokes the cached tokens it signed.
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
// removing any copy the client sent, in any letter case or spelled with
// underscores (X_User_Id), which many upstream frameworks read as the same
// header. Handlers read the caller with
// [PrincipalFrom] and its claims with [ClaimsFrom].
//
// # API keys
//
// [NewAPIKeys] (or the one-line [APIKeys]) authenticates requests by an API
// key read from the X-Api-Key header or, if configured, a query parameter.
// The key is removed from the request before anything else sees it, so
// neither upstreams nor access logs record it. Keys live in a [KeyStore]:
// [NewMemoryKeyStore] in process, or redisstore.NewAPIKeyStore shared by
// many gateway instances, optionally behind a cache ([NewCachedKeyStore]).
// A [KeyManager] issues keys with [GenerateKey] (256 bits from crypto/rand,
// shown once), stores only their SHA-256 hash ([HashKey]), rotates them
// with a grace period during which the old and new secrets both work, and
// disables or deletes them. Secrets are compared in constant time and
// unknown keys create no state. A missing key is 401, an unknown,
// malformed or expired key 401 ([ErrInvalidAPIKey], [ErrAPIKeyExpired]),
// a disabled key 403 ([ErrAPIKeyDisabled]), two keys in one request 400,
// and a store that fails or times out 503 ([ErrKeyStoreUnavailable]),
// never a pass. The principal's KeyID is the key's id, its ID the key's
// owner, and its claims carry "plan", "key_name" and "tags".
//
// # Custom authorizers
//
// [NewAuthorizer] (or [CustomAuthorizer]) calls an [AuthorizeFunc] with the
// values of its identity sources ([IdentityHeader], [IdentityQuery],
// [IdentityCookie], [IdentityStageVar]); a request missing one is refused
// with 401 without a call. The function returns a [Decision] (principal
// id, context passed on as claims, scopes, allowed routes) or refuses with
// [ErrUnauthorized] or [ErrForbidden]. Outcomes are cached for CacheTTL
// (300 s by default, at most 3600 s, negative for off) in a bounded LRU
// keyed by a hash of the identity values. A decision listing Routes serves
// every route for that identity and is checked against each request's
// route; a decision without Routes holds only for the method and path it
// was made for, so an allow cached on one route never opens another.
// Identical concurrent calls are made once; a failing, panicking or slow
// function is a 500 or 503 that does not reveal its error.
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
