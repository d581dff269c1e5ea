package auth

import (
	"errors"
	"net/http"
	"time"
)

// DefaultAPIKeyHeader is the request header an API key is read from unless
// [APIKeyConfig] names another.
const DefaultAPIKeyHeader = "X-Api-Key"

// APIKeyConfig configures an [APIKeyAuth]. Only Store is required.
type APIKeyConfig struct {
	// Store holds the keys. Required.
	Store KeyStore
	// Header is the request header carrying the key. If empty, the default
	// is [DefaultAPIKeyHeader]. The header is removed from the request (in
	// place, so access logs do not record it either) before the request is
	// passed on, unless KeepHeader is set.
	Header string
	// KeepHeader passes the key header on to the handlers and upstreams
	// after this block.
	KeepHeader bool
	// QueryParam, if not empty, also accepts the key in this query
	// parameter, for clients that cannot set headers. The parameter is
	// removed from the request URL (in place, so access logs that read the
	// URL do not record the key) before the request is passed on. A key in
	// both the header and the query is refused as ambiguous.
	QueryParam string
	// Realm is sent in the WWW-Authenticate challenge. If empty, no realm
	// is sent.
	Realm string
	// ErrorHandler renders rejections. If nil, the default is
	// [problem.Error].
	ErrorHandler ErrorHandler
	// Now returns the current time, for expiry checks. If nil, the default
	// is time.Now.
	Now func() time.Time
}

// APIKeyAuth authenticates requests by API key. It is safe for concurrent
// use.
type APIKeyAuth struct {
	store      KeyStore
	header     string
	keep       bool
	query      string
	challenge  string
	errHandler ErrorHandler
	now        func() time.Time
}

// NewAPIKeys returns API key authentication configured by cfg.
func NewAPIKeys(cfg APIKeyConfig) (*APIKeyAuth, error) {
	var errs []error
	if cfg.Store == nil {
		errs = append(errs, errors.New("auth: APIKeyConfig.Store is required"))
	}
	header := DefaultAPIKeyHeader
	if cfg.Header != "" {
		if !validKeySourceName(cfg.Header) {
			errs = append(errs, errors.New("auth: APIKeyConfig.Header is not a valid header name"))
		}
		header = http.CanonicalHeaderKey(cfg.Header)
	}
	if cfg.QueryParam != "" && !validKeySourceName(cfg.QueryParam) {
		errs = append(errs, errors.New("auth: APIKeyConfig.QueryParam must be a plain parameter name"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	a := &APIKeyAuth{
		store: cfg.Store, header: header, keep: cfg.KeepHeader, query: cfg.QueryParam,
		challenge:  Challenge("APIKey", cfg.Realm, "", "", "") + `, header="` + header + `"`,
		errHandler: cfg.ErrorHandler, now: cfg.Now,
	}
	if cfg.Realm == "" {
		a.challenge = `APIKey header="` + header + `"`
	}
	if a.now == nil {
		a.now = time.Now
	}
	return a, nil
}

// APIKeys returns API key authentication as middleware, for one-line use
// such as group.Use(auth.APIKeys(auth.APIKeyConfig{Store: keys})). A
// configuration mistake is reported by the returned handler's Validate
// method, which a gateway calls when it deploys; used elsewhere, the
// handler answers every request with 500 problem+json. Prefer
// [NewAPIKeys] where an error can be handled.
func APIKeys(cfg APIKeyConfig) func(http.Handler) http.Handler {
	a, err := NewAPIKeys(cfg)
	return func(next http.Handler) http.Handler {
		if err != nil {
			return invalidConfig{err}
		}
		return a.Handler(next)
	}
}

// Middleware returns a as a middleware: a.Handler.
func (a *APIKeyAuth) Middleware() func(http.Handler) http.Handler { return a.Handler }

// validKeySourceName accepts header and parameter names made of letters,
// digits, '-' and '_'.
func validKeySourceName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}

type invalidConfig struct{ err error }

// Validate returns the configuration error.
func (v invalidConfig) Validate() error { return v.err }

func (v invalidConfig) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reject(w, r, nil, "AUTHORIZER_CONFIGURATION_ERROR", v.err)
}
