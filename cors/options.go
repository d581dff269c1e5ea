package cors

import (
	"net/http"
	"time"
)

// Option configures a [CORS] policy.
type Option func(*config)

// Limits and defaults of the configuration.
const (
	// DefaultMaxAge is how long browsers may cache a preflight answer unless
	// [MaxAge] says otherwise.
	DefaultMaxAge = 10 * time.Minute
	// MaxMaxAge is the largest accepted [MaxAge]; browsers cap it lower
	// (Chromium at two hours, Firefox at one day).
	MaxMaxAge = 24 * time.Hour
)

// defaultMethods are allowed when [Methods] is not used: the CORS-safelisted
// methods.
var defaultMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost}

// defaultHeaders are allowed in requests when [Headers] is not used: the
// headers an API client commonly sends beyond the safelisted ones.
var defaultHeaders = []string{"Accept", "Accept-Language", "Content-Language", "Content-Type", "Authorization", "X-Api-Key", "X-Request-Id"}

type config struct {
	origins      []string
	methods      []string
	headers      []string
	exposed      []string
	credentials  bool
	maxAge       time.Duration
	errorHandler func(http.ResponseWriter, *http.Request, error)
}

// Origins adds allowed origins: exact ("https://app.example.com"),
// wildcard-subdomain patterns ("https://*.example.com") or "*" for any
// origin. Without this option no origin is allowed.
func Origins(origins ...string) Option {
	return func(c *config) { c.origins = append(c.origins, origins...) }
}

// Methods sets the methods a cross-origin request may use. "*" allows any
// method (the requested one is echoed in preflight answers). If not used,
// GET, HEAD and POST are allowed.
func Methods(methods ...string) Option {
	return func(c *config) { c.methods = append(c.methods, methods...) }
}

// Headers sets the request headers a cross-origin request may send beyond
// the CORS-safelisted ones. A safelisted name with a value outside the
// safelist, such as Content-Type: application/json, is not safelisted, and
// browsers ask for it in preflights: list it here to allow it. "*" allows
// any header (the requested ones are echoed in preflight answers). If not
// used, Accept, Accept-Language, Content-Language, Content-Type,
// Authorization, X-Api-Key and X-Request-Id are allowed.
func Headers(headers ...string) Option {
	return func(c *config) { c.headers = append(c.headers, headers...) }
}

// Expose lists the response headers a page may read beyond the
// CORS-safelisted ones (Access-Control-Expose-Headers). "*" exposes every
// header but cannot be combined with [Credentials], where browsers read it
// literally.
func Expose(headers ...string) Option {
	return func(c *config) { c.exposed = append(c.exposed, headers...) }
}

// Credentials lets pages send cookies and HTTP authentication
// (Access-Control-Allow-Credentials: true). It cannot be combined with the
// "*" origin.
func Credentials() Option {
	return func(c *config) { c.credentials = true }
}

// MaxAge sets how long a browser may cache a preflight answer
// (Access-Control-Max-Age, whole seconds). Zero means the browser must not
// cache it. If not used, the default is [DefaultMaxAge]. Negative values
// and values above [MaxMaxAge] are configuration errors.
func MaxAge(d time.Duration) Option {
	return func(c *config) { c.maxAge = d }
}

// ErrorHandler renders rejected preflight requests. If nil, the default is
// problem.Error, which honours the gateway's error handler.
func ErrorHandler(h func(http.ResponseWriter, *http.Request, error)) Option {
	return func(c *config) { c.errorHandler = h }
}
