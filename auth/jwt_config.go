package auth

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// JWTConfig configures a [JWTAuth]. Only Issuers is required; every other
// field documents what its zero value means.
type JWTConfig struct {
	// Issuers are the token issuers accepted, each with its own keys and
	// audiences. A token is matched to an issuer by its iss claim.
	Issuers []Issuer

	// Algorithms is the allow-list of signature algorithms. If nil, RS256,
	// RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 and EdDSA are
	// allowed. HMAC algorithms (HS256, HS384, HS512) are allowed only when
	// listed, and only verify with secret keys given in code. "none" is
	// never allowed.
	Algorithms []string
	// Types, if not nil, lists the accepted values of the token's typ
	// header (RFC 8725 section 3.11), compared case-insensitively with an
	// optional "application/" prefix, e.g. "at+jwt". If nil, typ is not
	// checked.
	Types []string
	// Leeway is the clock skew tolerated when checking exp, nbf and iat.
	// If 0, the default is 30 seconds; a negative value means none. It may
	// not exceed 5 minutes.
	Leeway time.Duration
	// MaxTokenSize is the largest token accepted, in bytes, checked before
	// any parsing. If 0, the default is 8192.
	MaxTokenSize int

	// Sources are where the token is read from. If nil, the default is the
	// Bearer credentials of the Authorization header. A request presenting
	// a token in more than one place, or twice in one place, is rejected.
	Sources []TokenSource
	// ScopeClaims are the claims holding the caller's scopes: a string of
	// space-separated scopes or an array of strings. If nil, the default is
	// "scope" and "scp".
	ScopeClaims []string
	// ClaimHeaders copy claims to request headers for the handlers and
	// upstreams after this block. Client-sent headers of those names are
	// always removed first, in any letter case and also when spelled with
	// underscores for dashes, which many upstream frameworks read as the
	// same header; and their names are removed from the Connection header,
	// so that a proxy after this block does not drop them as hop-by-hop
	// headers.
	ClaimHeaders []ClaimHeader
	// Realm is sent in the WWW-Authenticate challenge. If empty, no realm
	// is sent.
	Realm string

	// CacheSize bounds the number of verified tokens remembered, so a
	// repeated token skips signature verification. If 0, the default is
	// 10000; a negative value disables the cache.
	CacheSize int
	// CacheTTL is the longest a verified token is remembered; a token is
	// never remembered past its expiry. If 0, the default is 1 minute.
	CacheTTL time.Duration

	// RefreshInterval is how often key sets fetched from URLs are refreshed
	// in the background. If 0, the default is 15 minutes; it may not be
	// under 1 second.
	RefreshInterval time.Duration
	// MinRefreshInterval is the shortest time between two refreshes caused
	// by tokens naming an unknown key id; concurrent requests share one
	// refresh. If 0, the default is 30 seconds.
	MinRefreshInterval time.Duration
	// FetchTimeout bounds each fetch of a key set or discovery document,
	// body included. If 0, the default is 5 seconds.
	FetchTimeout time.Duration
	// MaxKeySetSize bounds the size of a fetched key set or discovery
	// document, in bytes. If 0, the default is 256 KiB.
	MaxKeySetSize int64
	// HTTPClient fetches key sets and discovery documents. If nil, a
	// client of its own is used, which does not follow redirects and whose
	// idle connections are closed by Close.
	HTTPClient *http.Client
	// AllowInsecureURLs permits http:// key set and discovery URLs for
	// hosts other than loopback addresses and "localhost". If false, such
	// URLs must use https.
	AllowInsecureURLs bool

	// OnKeysRefresh, if not nil, is called after every fetch of an
	// issuer's keys, with a nil error on success. A failed fetch keeps the
	// last good keys. It must not block.
	OnKeysRefresh func(issuer string, err error)
	// ErrorHandler renders rejections. If nil, the default is
	// [problem.Error].
	ErrorHandler ErrorHandler
	// Now returns the current time. If nil, the default is time.Now.
	Now func() time.Time
}

// ClaimHeader copies a claim to a request header: a string, number or
// boolean claim as is, an array of strings joined with commas. Claims of
// other types, and values holding control characters, are not copied.
type ClaimHeader struct {
	// Claim is the claim name, e.g. "sub".
	Claim string
	// Header is the request header name, e.g. "X-User-Id".
	Header string
}

// Defaults of JWTConfig.
const (
	defaultLeeway             = 30 * time.Second
	maxLeeway                 = 5 * time.Minute
	defaultMaxTokenSize       = 8192
	defaultCacheSize          = 10000
	defaultCacheTTL           = time.Minute
	defaultRefreshInterval    = 15 * time.Minute
	defaultMinRefreshInterval = 30 * time.Second
	defaultFetchTimeout       = 5 * time.Second
	defaultMaxKeySetSize      = 256 << 10
)

var defaultAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// knownAlgorithms are the algorithms a JWTConfig may allow.
var knownAlgorithms = map[string]bool{
	"RS256": true, "RS384": true, "RS512": true, "PS256": true, "PS384": true, "PS512": true,
	"ES256": true, "ES384": true, "ES512": true, "EdDSA": true, "HS256": true, "HS384": true, "HS512": true,
}

// withDefaults returns a copy of c with defaults applied, or the first
// configuration mistake found.
func (c JWTConfig) withDefaults() (JWTConfig, error) {
	var errs []error
	if len(c.Issuers) == 0 {
		errs = append(errs, errors.New("auth: JWT: at least one issuer is required"))
	}
	if c.Algorithms == nil {
		c.Algorithms = defaultAlgorithms
	}
	for _, a := range c.Algorithms {
		if !knownAlgorithms[a] {
			errs = append(errs, fmt.Errorf("auth: JWT: algorithm %q is not supported", a))
		}
	}
	switch {
	case c.Leeway == 0:
		c.Leeway = defaultLeeway
	case c.Leeway < 0:
		c.Leeway = 0
	case c.Leeway > maxLeeway:
		errs = append(errs, fmt.Errorf("auth: JWT: leeway %s exceeds %s", c.Leeway, maxLeeway))
	}
	c.MaxTokenSize = orDefault(c.MaxTokenSize, defaultMaxTokenSize)
	c.CacheSize = orDefault(c.CacheSize, defaultCacheSize)
	c.CacheTTL = orDefault(c.CacheTTL, defaultCacheTTL)
	c.RefreshInterval = orDefault(c.RefreshInterval, defaultRefreshInterval)
	c.MinRefreshInterval = orDefault(c.MinRefreshInterval, defaultMinRefreshInterval)
	c.FetchTimeout = orDefault(c.FetchTimeout, defaultFetchTimeout)
	c.MaxKeySetSize = orDefault(c.MaxKeySetSize, defaultMaxKeySetSize)
	if c.MaxTokenSize < 0 || c.CacheTTL < 0 || c.MinRefreshInterval < 0 || c.FetchTimeout < 0 || c.MaxKeySetSize < 0 {
		errs = append(errs, errors.New("auth: JWT: sizes and durations may not be negative"))
	}
	if c.RefreshInterval < time.Second {
		errs = append(errs, fmt.Errorf("auth: JWT: refresh interval %s is under 1s", c.RefreshInterval))
	}
	if c.Sources == nil {
		c.Sources = []TokenSource{TokenFromHeader("Authorization", "Bearer")}
	}
	for _, s := range c.Sources {
		if err := s.validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.ScopeClaims == nil {
		c.ScopeClaims = []string{"scope", "scp"}
	}
	for _, h := range c.ClaimHeaders {
		if h.Claim == "" || !validHeaderName(h.Header) {
			errs = append(errs, fmt.Errorf("auth: JWT: invalid claim header %q -> %q", h.Claim, h.Header))
		}
	}
	seen := make(map[string]bool)
	for i, iss := range c.Issuers {
		if seen[iss.Issuer] {
			errs = append(errs, fmt.Errorf("auth: JWT: issuer %q listed twice", iss.Issuer))
		}
		seen[iss.Issuer] = true
		if err := iss.validate(c.AllowInsecureURLs); err != nil {
			errs = append(errs, fmt.Errorf("auth: JWT: issuer %d (%q): %w", i, iss.Issuer, err))
		}
	}
	return c, errors.Join(errs...)
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}
