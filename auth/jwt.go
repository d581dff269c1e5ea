package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/textproto"
	"time"
	"unsafe"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

// JWTAuth validates JSON Web Tokens and puts the caller's [Principal] in
// the request context. Create one with [NewJWT]; it is safe for concurrent
// use. One that fetches keys must be closed with [JWTAuth.Close].
type JWTAuth struct {
	cfg  JWTConfig
	now  func() time.Time
	algs map[string]bool
	// verifiers are jwx's signature verifiers, one per allowed algorithm.
	verifiers map[string]jws.Verifier2
	issuers   map[string]*issuerState
	single    *issuerState // the issuer, when there is only one
	headers   []ClaimHeader
	cache     *tokenCache
	fetcher   *keyFetcher

	chMissing, chInvalid, chExpired, chRequest string
}

// NewJWT returns a JWTAuth for cfg, or every configuration mistake found.
// Key sets at URLs are fetched in the background, starting now; requests
// arriving before the first fetch completes wait for it (within their
// context), and get 503 if it fails.
func NewJWT(cfg JWTConfig) (*JWTAuth, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	a := &JWTAuth{
		cfg:     cfg,
		now:     cfg.Now,
		algs:    make(map[string]bool, len(cfg.Algorithms)),
		issuers: make(map[string]*issuerState, len(cfg.Issuers)),
	}
	if a.now == nil {
		a.now = time.Now
	}
	hmac := false
	a.verifiers = make(map[string]jws.Verifier2, len(cfg.Algorithms))
	for _, alg := range cfg.Algorithms {
		sa, ok := jwa.LookupSignatureAlgorithm(alg)
		if !ok {
			return nil, errors.New("auth: JWT: unsupported algorithm " + alg)
		}
		v, err := jws.VerifierFor(sa)
		if err != nil {
			return nil, err
		}
		a.algs[alg], a.verifiers[alg] = true, v
		hmac = hmac || alg[0] == 'H'
	}
	var errs []error
	var states []*issuerState
	remotes := 0
	for _, ic := range cfg.Issuers {
		st := &issuerState{
			name:        ic.Issuer,
			audiences:   ic.Audiences,
			anyAudience: ic.AnyAudience,
			remote:      ic.remote(),
			discovery:   ic.Discovery,
			jwksURL:     ic.JWKSURL,
		}
		if !st.remote {
			ks, err := staticKeySet(ic.Keys)
			if err != nil {
				errs = append(errs, errors.Join(errors.New("auth: JWT: issuer "+ic.Issuer), err))
				continue
			}
			for _, k := range ks.all {
				if k.kty != jwa.OctetSeq() {
					continue
				}
				if !hmac {
					errs = append(errs, errors.New("auth: JWT: issuer "+ic.Issuer+" has a secret key but Algorithms allows no HMAC algorithm"))
					break
				}
				if !verifiesAny(k, cfg.Algorithms) {
					errs = append(errs, errors.New("auth: JWT: issuer "+ic.Issuer+" has a secret key shorter than its HMAC algorithms require (256 bits for HS256, 384 for HS384, 512 for HS512)"))
					break
				}
			}
			st.keys.Store(ks)
		}
		if st.remote {
			remotes++
		}
		a.issuers[st.name] = st
		states = append(states, st)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(states) == 1 {
		a.single = states[0]
	}
	for _, h := range cfg.ClaimHeaders {
		a.headers = append(a.headers, ClaimHeader{Claim: h.Claim, Header: textproto.CanonicalMIMEHeaderKey(h.Header)})
	}
	if cfg.CacheSize > 0 {
		a.cache = newTokenCache(cfg.CacheSize)
	}
	a.chMissing = BearerChallenge(cfg.Realm, "", "", "")
	a.chInvalid = BearerChallenge(cfg.Realm, CodeInvalidToken, "The access token is invalid", "")
	a.chExpired = BearerChallenge(cfg.Realm, CodeInvalidToken, "The access token expired", "")
	a.chRequest = BearerChallenge(cfg.Realm, CodeInvalidRequest, "Exactly one well-formed access token is required", "")
	if remotes > 0 {
		if a.fetcher, err = newKeyFetcher(cfg, a.now, remotes); err != nil {
			return nil, err
		}
		a.fetcher.start(states)
	}
	return a, nil
}

// verifiesAny reports whether k may verify tokens signed with one of algs.
func verifiesAny(k *vkey, algs []string) bool {
	for _, alg := range algs {
		if k.compatible(alg) {
			return true
		}
	}
	return false
}

// JWT returns middleware validating tokens with static keys, for use in
// one line: cfg's issuers must all have Keys. Configuration mistakes, and
// issuers fetching keys (which need [NewJWT] and [JWTAuth.Close]), make the
// handler it returns report the error from its Validate method, which a
// gateway calls when it deploys; used elsewhere, that handler answers 500.
func JWT(cfg JWTConfig) func(http.Handler) http.Handler {
	for _, iss := range cfg.Issuers {
		if iss.remote() {
			return misconfigured(errors.New("auth: JWT: issuer " + iss.Issuer + " fetches keys: use NewJWT, and Close it"))
		}
	}
	a, err := NewJWT(cfg)
	if err != nil {
		return misconfigured(err)
	}
	return a.Handler
}

// Middleware returns a.Handler as middleware.
func (a *JWTAuth) Middleware() func(http.Handler) http.Handler { return a.Handler }

// Handler returns a handler that authenticates the request's token and
// calls next with the caller's [Principal] in the context, or rejects the
// request.
func (a *JWTAuth) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(a.headers) > 0 {
			a.stripClaimHeaders(r.Header)
			a.protectClaimHeaders(r.Header)
		}
		tok, err := extractToken(r, a.cfg.Sources)
		if err == nil && tok == "" {
			err = ErrUnauthorized
		}
		var v *verified
		if err == nil {
			v, err = a.authenticate(r.Context(), tok)
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
		for i := range a.headers {
			if vals := v.headers[i]; vals != nil {
				r.Header[a.headers[i].Header] = vals
			}
		}
		next.ServeHTTP(w, r.WithContext(reqctx.WithPrincipal(r.Context(), v.principal)))
	})
}

// Authenticate verifies tok as a request would, without one, and returns
// the caller it identifies. Errors wrap the package's sentinel errors.
func (a *JWTAuth) Authenticate(ctx context.Context, tok string) (*Principal, error) {
	v, err := a.authenticate(ctx, tok)
	if err != nil {
		return nil, err
	}
	return v.principal, nil
}

func (a *JWTAuth) authenticate(ctx context.Context, tok string) (*verified, error) {
	if len(tok) > a.cfg.MaxTokenSize {
		return nil, errTokenTooLarge
	}
	if a.cache == nil {
		return a.verify(ctx, tok)
	}
	// The token's bytes are hashed in place: Sum256 neither keeps nor
	// modifies them, and copying a token of kilobytes would dominate the
	// cached path.
	key := sha256.Sum256(unsafe.Slice(unsafe.StringData(tok), len(tok)))
	if v := a.cache.get(key); v != nil {
		if a.now().Before(v.expires) && v.trusted() {
			return v, nil
		}
		a.cache.remove(key)
	}
	v, err := a.verify(ctx, tok)
	if err == nil {
		a.cache.put(key, v, a.now())
	}
	return v, err
}

// trusted reports whether the key that verified the token is still in its
// issuer's set, with the same id and material, so removing a key from a
// key set, or replacing it under the same id, revokes cached tokens.
func (v *verified) trusted() bool {
	cur := v.issuer.keys.Load()
	return cur == v.keys || cur.holds(v.key)
}

// fail renders err as the RFC 6750 response its sentinel calls for.
func (a *JWTAuth) fail(w http.ResponseWriter, r *http.Request, err error) {
	var p *problem.Problem
	errType := errTypeUnauthorized
	switch {
	case errors.Is(err, ErrInvalidRequest):
		p = problem.Wrap(err, http.StatusBadRequest, "The request must carry exactly one well-formed access token.").
			WithHeader("WWW-Authenticate", a.chRequest)
		errType = errTypeBadRequest
	case errors.Is(err, ErrUnauthorized):
		p = Unauthorized(err, a.chMissing, "An access token is required.")
	case errors.Is(err, ErrExpiredToken):
		p = Unauthorized(err, a.chExpired, "The access token expired.")
		errType = errTypeExpiredToken
	case errors.Is(err, ErrKeysUnavailable):
		p = problem.Wrap(err, http.StatusServiceUnavailable, "The access token cannot be verified now.").
			WithHeader("Retry-After", "5")
		errType = errTypeAuthorizerFailure
	default:
		p = Unauthorized(err, a.chInvalid, "The access token is invalid.")
	}
	reject(w, r, a.cfg.ErrorHandler, errType, p)
}

// Close stops the background key refresh and waits for fetches in flight.
// Tokens are still verified afterwards, with the keys last fetched. Close
// is idempotent and returns nil.
func (a *JWTAuth) Close() error {
	if a.fetcher != nil {
		a.fetcher.close()
	}
	return nil
}
