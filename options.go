package gateway

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gatewaykit/gateway/internal/clientip"
)

// Defaults applied by [New].
const (
	// DefaultTimeout bounds each request unless a route or [Timeout] says
	// otherwise.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxBodyBytes bounds request bodies unless [MaxBodyBytes] or a
	// route says otherwise (10 MiB, Amazon API Gateway's payload limit).
	DefaultMaxBodyBytes = 10 << 20
	// DefaultHistory is how many deployments each stage remembers.
	DefaultHistory = 10
	// DefaultRequestIDHeader carries the request ID in and out.
	DefaultRequestIDHeader = "X-Request-Id"
)

// Option configures a [Gateway].
type Option func(*config)

type config struct {
	errorHandler    ErrorHandler
	trusted         []string
	trustedHops     int
	resolver        *clientip.Resolver
	timeout         time.Duration
	maxBody         int64
	logger          *slog.Logger
	stageBy         stageSelector
	stageHosts      map[string]string
	encodedSlash    bool
	requestIDHeader string
	history         int
	stripHeaders    []string
	now             func() time.Time
	errs            []error // mistakes found by the options
}

func defaultConfig() config {
	return config{
		timeout:         DefaultTimeout,
		maxBody:         DefaultMaxBodyBytes,
		logger:          slog.Default(),
		requestIDHeader: DefaultRequestIDHeader,
		history:         DefaultHistory,
		stripHeaders:    defaultStripHeaders(),
		now:             time.Now,
	}
}

// ErrorHandler renders an error to the client. See [WithErrorHandler].
type ErrorHandler = func(http.ResponseWriter, *http.Request, error)

// WithErrorHandler renders every error of the gateway and of the blocks on
// its routes with h instead of the default RFC 9457 problem+json renderer.
// The errors h receives are usually a *problem.Problem carrying the status
// and headers (problem.From extracts it).
func WithErrorHandler(h ErrorHandler) Option {
	return func(c *config) { c.errorHandler = h }
}

// TrustedProxies names the proxies in front of the gateway, as IP addresses
// or CIDR prefixes. Only when the TCP peer is one of them are inbound
// X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto and Forwarded kept
// and used to find the client address; otherwise they are removed. The
// client address is the rightmost X-Forwarded-For entry not written by a
// trusted proxy; entries may carry a port ("203.0.113.7:5123",
// "[2001:db8::7]:5123"), and one that does not parse ends the walk. By
// default no proxy is trusted.
func TrustedProxies(proxies ...string) Option {
	return func(c *config) { c.trusted = append(c.trusted, proxies...) }
}

// TrustedProxyHops says the gateway runs behind exactly n proxies (load
// balancers whose addresses are not known in advance) that each append to
// X-Forwarded-For. Every TCP peer is then taken to be the nearest of them:
// forwarding headers are kept, and the client address is the n-th
// X-Forwarded-For entry from the right, so entries a client adds itself are
// ignored. Use it only when nothing can reach the gateway except through
// those proxies. It cannot be combined with [TrustedProxies]; n must be
// between 1 and 32.
func TrustedProxyHops(n int) Option {
	return func(c *config) { c.trustedHops = n }
}

// Timeout bounds every request, middleware, upstream call and the reading
// of the request body included; a request over it ends with 504 Gateway
// Timeout. A request asking to switch protocols (WebSocket) is bounded
// until its connection is taken over, not after. Routes may override it.
// Zero or a negative value means no gateway timeout. The default is
// [DefaultTimeout].
func Timeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// MaxBodyBytes bounds request bodies; a larger body is refused with 413
// Content Too Large. Routes may override it. A negative value means no limit.
// The default is [DefaultMaxBodyBytes].
func MaxBodyBytes(n int64) Option {
	return func(c *config) { c.maxBody = n }
}

// Logger sets where the gateway reports recovered panics and configuration
// it could not apply. If nil, slog.Default() is used.
func Logger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// AllowEncodedSlash accepts %2F inside path segments (it is rejected with
// 400 by default because upstreams disagree on its meaning). Such a segment
// matches a single route parameter and reaches the upstream still encoded.
// A segment that an upstream decoding %2F would read as holding a dot
// segment ("..%2F") is still refused with 400.
func AllowEncodedSlash() Option {
	return func(c *config) { c.encodedSlash = true }
}

// RequestIDHeader changes the header that carries the request ID, both the
// one honoured on the way in and the one set on the response and upstream
// request. The default is [DefaultRequestIDHeader]. A name that is not a
// valid header name (an empty one included) is an error reported by
// [Gateway.Build] and [Gateway.Deploy].
func RequestIDHeader(name string) Option {
	return func(c *config) {
		if !validHeaderName(name) {
			c.errs = append(c.errs, fmt.Errorf("gateway: RequestIDHeader: invalid header name %q", name))
			return
		}
		c.requestIDHeader = http.CanonicalHeaderKey(name)
	}
}

// DeploymentHistory sets how many deployments each stage keeps for
// [Gateway.Rollback]. Values below 1 mean 1. The default is [DefaultHistory].
func DeploymentHistory(n int) Option {
	return func(c *config) { c.history = max(n, 1) }
}

// StripHeaders adds request headers to remove before any route sees the
// request, on top of the default set: X-Real-Ip, X-Client-Ip,
// True-Client-Ip, X-Original-Url, X-Rewrite-Url, X-Http-Method-Override,
// X-Http-Method, X-Method-Override, and every header starting with
// X-Gateway- (reserved for identity the gateway itself passes upstream).
// Spellings with underscores for dashes (X_Real_Ip), which CGI-style
// upstreams read as the same header, are removed too. A name that is not a
// valid header name is an error reported by [Gateway.Build].
func StripHeaders(names ...string) Option {
	return func(c *config) {
		for _, n := range names {
			if !validHeaderName(n) {
				c.errs = append(c.errs, fmt.Errorf("gateway: StripHeaders: invalid header name %q", n))
				continue
			}
			c.stripHeaders = append(c.stripHeaders, http.CanonicalHeaderKey(n))
		}
	}
}

func defaultStripHeaders() []string {
	return []string{
		"X-Real-Ip", "X-Client-Ip", "True-Client-Ip", "X-Original-Url", "X-Rewrite-Url",
		"X-Http-Method-Override", "X-Http-Method", "X-Method-Override",
	}
}

// Clock sets the clock used for deployment timestamps. If nil, time.Now.
func Clock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// validHeaderName reports whether s is an RFC 9110 token, the syntax of
// field names and of methods.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}
