package auth

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwt"
)

// maxCandidateKeys bounds the signature checks spent on one token.
const maxCandidateKeys = 4

// verified is the outcome of verifying one token: what a request needs to
// go on, ready to be cached and shared by later requests with the token.
type verified struct {
	principal *Principal
	headers   [][]string // values for JWTAuth.headers, nil when absent
	expires   time.Time  // end of the cache entry's life
	issuer    *issuerState
	keys      *keySet // the set the verifying key came from
	key       *vkey   // the key that verified the token
	kid       string
}

// verify checks tok completely: shape and header, issuer, key selection,
// signature, then the registered claims. The signature is checked with
// jwx's verifier for the header's algorithm over the exact signing input
// parseCompact validated, so no other serialisation is ever parsed.
func (a *JWTAuth) verify(ctx context.Context, tok string) (*verified, error) {
	c, err := parseCompact(tok, a.cfg.MaxTokenSize)
	if err != nil {
		return nil, err
	}
	if !a.algs[c.alg] {
		return nil, errAlgNotAllowed
	}
	if a.cfg.Types != nil && !typeMatches(c.typ, a.cfg.Types) {
		return nil, errBadType
	}
	claims, payload, err := decodePayload(c.payload)
	if err != nil {
		return nil, err
	}
	iss := a.single
	if iss == nil {
		name, _ := claims["iss"].(string)
		if iss = a.issuers[name]; iss == nil {
			return nil, errUnknownIssuer
		}
	}
	ks, err := a.keysFor(ctx, iss, c.kid)
	if err != nil {
		return nil, err
	}
	if c.kid == "" && ks.anyKID {
		return nil, errMissingKID
	}
	verifier := a.verifiers[c.alg]
	input := []byte(c.input)
	tried, compatible := 0, false
	var ok *vkey
	for _, k := range ks.candidates(c.kid) {
		if !k.compatible(c.alg) {
			continue
		}
		compatible = true
		if tried == maxCandidateKeys {
			break
		}
		tried++
		if verifier.Verify(k.raw, input, c.sig) == nil {
			ok = k
			break
		}
	}
	switch {
	case !compatible:
		return nil, errAlgKeyMismatch
	case ok == nil:
		return nil, errBadSignature
	}
	if !numericDates(claims) {
		return nil, errInvalidClaims
	}
	t, err := a.validateClaims(payload, iss)
	if err != nil {
		return nil, err
	}
	v := a.newVerified(claims, t, iss, ks, c.kid)
	v.key = ok
	return v, nil
}

// keysFor returns the issuer's keys, refreshing them (within the limits
// of the key fetcher) when there are none yet or kid is unknown.
func (a *JWTAuth) keysFor(ctx context.Context, iss *issuerState, kid string) (*keySet, error) {
	ks := iss.keys.Load()
	if iss.remote && (ks == nil || (kid != "" && !ks.hasKID(kid) && len(ks.noKID) == 0)) {
		a.fetcher.refresh(ctx, iss)
		ks = iss.keys.Load()
	}
	if ks == nil {
		return nil, errKeysNotAvailable
	}
	if kid != "" && !ks.hasKID(kid) && len(ks.noKID) == 0 {
		return nil, errUnknownKID
	}
	return ks, nil
}

// validateClaims checks the registered claims of the verified payload
// with jwt.Validate: exp (required), nbf and iat with the leeway, iss,
// aud. The payload is decoded as the claims object it is, never through
// jwt.Parse, which guesses the format of its input and would take signed
// claims shaped like a JSON-serialised JWS for an envelope and validate
// the unsigned payload inside.
func (a *JWTAuth) validateClaims(raw []byte, iss *issuerState) (jwt.Token, error) {
	t := jwt.New()
	if err := json.Unmarshal(raw, t); err != nil {
		return nil, errInvalidClaims
	}
	if exp, ok := t.Expiration(); ok && exp.Unix() <= 0 {
		// An exp at or before the epoch is an expiry long past.
		return nil, errExpired
	}
	opts := []jwt.ValidateOption{
		jwt.WithClock(jwt.ClockFunc(a.now)),
		jwt.WithAcceptableSkew(a.cfg.Leeway),
		// Times compare to the second, as NumericDate claims do.
		jwt.WithTruncation(time.Second),
		jwt.WithRequiredClaim("exp"),
		jwt.WithIssuer(iss.name),
	}
	if !iss.anyAudience {
		opts = append(opts, jwt.WithValidator(jwt.ValidatorFunc(iss.audienceValidator)))
	}
	err := jwt.Validate(t, opts...)
	switch {
	case err == nil:
		return t, nil
	case errors.Is(err, jwt.TokenExpiredError()):
		return nil, errExpired
	case errors.Is(err, jwt.TokenNotYetValidError()):
		return nil, errNotYetValid
	case errors.Is(err, jwt.InvalidIssuedAtError()):
		return nil, errIssuedInFuture
	case errors.Is(err, jwt.InvalidAudienceError()):
		return nil, errWrongAudience
	case errors.Is(err, jwt.InvalidIssuerError()):
		return nil, errWrongIssuer
	case errors.Is(err, jwt.MissingRequiredClaimError()):
		return nil, errMissingExp
	}
	return nil, errInvalidClaims
}

// numericDates reports whether the registered time claims present are
// JSON numbers (RFC 7519 section 2, NumericDate) no earlier than 1970.
// jwt.Validate would also read strings, as numbers or as RFC 3339 dates,
// and negative times; the claims handed on are documented as numbers.
func numericDates(claims map[string]any) bool {
	for _, name := range [...]string{"exp", "nbf", "iat"} {
		if v, ok := claims[name]; ok {
			if f, num := v.(float64); !num || f < 0 {
				return false
			}
		}
	}
	return true
}

// audienceValidator accepts a token naming at least one of the issuer's
// audiences.
func (iss *issuerState) audienceValidator(_ context.Context, t jwt.Token) error {
	auds, _ := t.Audience()
	for _, got := range auds {
		for _, want := range iss.audiences {
			if got == want {
				return nil
			}
		}
	}
	return jwt.InvalidAudienceError()
}

// newVerified builds the principal and header values of a valid token.
func (a *JWTAuth) newVerified(claims map[string]any, t jwt.Token, iss *issuerState, ks *keySet, kid string) *verified {
	sub, _ := t.Subject()
	exp, _ := t.Expiration()
	p := &Principal{
		ID:     sub,
		Issuer: iss.name,
		Method: MethodJWT,
		Claims: claims,
	}
	for _, name := range a.cfg.ScopeClaims {
		p.Scopes = append(p.Scopes, claimStrings(claims[name])...)
	}
	v := &verified{principal: p, issuer: iss, keys: ks, kid: kid, expires: exp}
	if end := a.now().Add(a.cfg.CacheTTL); end.Before(v.expires) {
		v.expires = end
	}
	if len(a.headers) > 0 {
		v.headers = make([][]string, len(a.headers))
		for i, h := range a.headers {
			if s, ok := claimHeaderValue(claims[h.Claim]); ok {
				v.headers[i] = []string{s}
			}
		}
	}
	return v
}

// claimHeaderValue renders a claim for a header: strings, numbers and
// booleans as is, arrays of strings joined with commas. Values that would
// not be valid header values are refused.
func claimHeaderValue(v any) (string, bool) {
	s, ok := claimString(v)
	if !ok {
		list, isList := v.([]any)
		if !isList || len(list) == 0 {
			return "", false
		}
		parts := make([]string, 0, len(list))
		for _, e := range list {
			es, ok := e.(string)
			if !ok {
				return "", false
			}
			parts = append(parts, es)
		}
		s = strings.Join(parts, ",")
	}
	if s == "" || len(s) > 4096 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return "", false
		}
	}
	return s, true
}
