package cache

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/textproto"
	"slices"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// Defaults and limits of the options.
const (
	// DefaultTTL is how long a response stays fresh when no [TTL] is given.
	DefaultTTL = 300 * time.Second
	// MaxTTL is the longest [TTL] accepted.
	MaxTTL = 3600 * time.Second
	// DefaultMaxEntryBytes is the largest body stored when no
	// [MaxEntryBytes] is given.
	DefaultMaxEntryBytes = 1 << 20
	// DefaultMemoryBytes bounds the memory store a [Cache] creates for
	// itself when no [WithStore] is given.
	DefaultMemoryBytes = 64 << 20
	// DefaultStoreBackoff is how long a cache treats every lookup as a miss,
	// without asking its store, after the store failed.
	DefaultStoreBackoff = time.Second
)

// Option configures a [Cache].
type Option func(*config)

type config struct {
	ttl             time.Duration
	query           []string
	headers         []string
	perPrincipal    bool
	get, head       bool
	statuses        map[int]bool
	maxEntry        int
	store           Store
	memoryBytes     int64
	respectUpstream bool
	shareAuthorized bool
	authorize       func(*http.Request) bool
	unauthorized    UnauthorizedAction
	now             func() time.Time
	errorHandler    func(http.ResponseWriter, *http.Request, error)
	onError         func(op string, err error)
	backoff         time.Duration
	errs            []error
	// route is set while applying the options of [Cache.Middleware], where
	// the options that configure the whole cache are mistakes.
	route bool
}

func newConfig(opts []Option) *config {
	c := &config{
		ttl:             DefaultTTL,
		get:             true,
		head:            true,
		statuses:        map[int]bool{200: true, 203: true, 204: true, 300: true, 301: true, 308: true},
		maxEntry:        DefaultMaxEntryBytes,
		memoryBytes:     DefaultMemoryBytes,
		respectUpstream: true,
		backoff:         DefaultStoreBackoff,
	}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

func (c *config) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("cache: "+format, args...))
}

// forRoute returns a copy of c to apply route options to.
func (c *config) forRoute() *config {
	rc := *c
	rc.query = slices.Clone(c.query)
	rc.headers = slices.Clone(c.headers)
	rc.statuses = maps.Clone(c.statuses)
	rc.errs = nil
	rc.route = true
	return &rc
}

// cacheWide records a mistake when an option that configures the whole
// cache is given to [Cache.Middleware].
func (c *config) cacheWide(name string) bool {
	if c.route {
		c.fail("%s configures the whole cache: give it to New, not to Middleware", name)
		return true
	}
	return false
}

// TTL sets how long a response stays fresh, at most [MaxTTL]. Zero turns the
// cache off: [Cache.Handler] then returns next unchanged. If TTL is not
// given, it is [DefaultTTL]. An upstream max-age or s-maxage that is shorter
// wins, unless [RespectUpstreamMaxAge] is false.
func TTL(d time.Duration) Option {
	return func(c *config) {
		if d < 0 || d > MaxTTL {
			c.fail("TTL %v out of range [0, %v]", d, MaxTTL)
			return
		}
		c.ttl = d
	}
}

// KeyQuery names the query parameters that are part of the cache key. Their
// order in the request does not matter; repeated values of one parameter
// keep their order. A cached route forwards only these parameters upstream,
// so that no parameter outside the key can change a stored response.
func KeyQuery(names ...string) Option {
	return func(c *config) {
		for _, n := range names {
			if n == "" {
				c.fail("KeyQuery: empty parameter name")
				return
			}
		}
		c.query = appendUnique(c.query, names...)
	}
}

// KeyHeaders names the request headers that are part of the cache key, all
// their values in order. "Host" means the request's host, which is always
// part of the key anyway. Keying on Authorization or Cookie keeps one entry
// per credential, so responses to such requests can be stored.
func KeyHeaders(names ...string) Option {
	return func(c *config) {
		canon := make([]string, 0, len(names))
		for _, n := range names {
			if !validName(n) {
				c.fail("KeyHeaders: invalid header name %q", n)
				return
			}
			if n = textproto.CanonicalMIMEHeaderKey(n); n != "Host" {
				canon = append(canon, n)
			}
		}
		c.headers = appendUnique(c.headers, canon...)
	}
}

// PerPrincipal keys entries by the authenticated principal (its issuer and
// ID), so every caller has their own entries. A request without a principal
// is not cached on such a route. Put the authentication block before the
// cache.
func PerPrincipal() Option {
	return func(c *config) { c.perPrincipal = true }
}

// Methods sets the methods served from the cache: GET, HEAD or both. If
// Methods is not given, both are. A HEAD request is answered from the entry
// of the GET request with the same key. Other methods are never cached:
// their key would leave out the request body.
func Methods(methods ...string) Option {
	return func(c *config) {
		c.get, c.head = false, false
		for _, m := range methods {
			switch m {
			case http.MethodGet:
				c.get = true
			case http.MethodHead:
				c.head = true
			default:
				c.fail("Methods: %q cannot be cached, only GET and HEAD", m)
			}
		}
		if !c.get && !c.head {
			c.fail("Methods: no method given")
		}
	}
}

// CacheStatuses adds statuses whose responses may be stored besides the
// default 200, 203, 204, 300, 301 and 308, for example 404. Informational,
// 206 Partial Content, 304 Not Modified and 5xx statuses are refused.
func CacheStatuses(codes ...int) Option {
	return func(c *config) {
		for _, s := range codes {
			if s < 200 || s > 499 || s == http.StatusPartialContent || s == http.StatusNotModified {
				c.fail("CacheStatuses: status %d cannot be cached", s)
				continue
			}
			c.statuses[s] = true
		}
	}
}

// MaxEntryBytes sets the largest response body stored. A larger response is
// streamed to its client and not stored. If MaxEntryBytes is not given, it
// is [DefaultMaxEntryBytes].
func MaxEntryBytes(n int) Option {
	return func(c *config) {
		if n <= 0 {
			c.fail("MaxEntryBytes: %d is not positive", n)
			return
		}
		c.maxEntry = n
	}
}

// WithStore sets where entries are kept, for example a Redis store shared by
// many gateway instances. The caller owns s: [Cache.Close] does not close
// it. If WithStore is not given, the cache creates a [MemoryStore] bounded
// by [MemoryBytes] and closes it on Close.
func WithStore(s Store) Option {
	return func(c *config) {
		if c.cacheWide("WithStore") {
			return
		}
		if s == nil {
			c.fail("WithStore: nil store")
			return
		}
		c.store = s
	}
}

// MemoryBytes bounds the total size of the memory store the cache creates
// when no [WithStore] is given. If MemoryBytes is not given, it is
// [DefaultMemoryBytes].
func MemoryBytes(n int64) Option {
	return func(c *config) {
		if c.cacheWide("MemoryBytes") {
			return
		}
		if n <= 0 {
			c.fail("MemoryBytes: %d is not positive", n)
			return
		}
		c.memoryBytes = n
	}
}

// RespectUpstreamMaxAge sets whether an upstream's s-maxage, max-age or
// Expires shortens the route's TTL. It is on by default. Turned off, the
// route's TTL applies as is; no-store, private and the other rules that
// forbid storing still apply.
func RespectUpstreamMaxAge(on bool) Option {
	return func(c *config) { c.respectUpstream = on }
}

// ShareAuthorized stores and shares responses to requests that carry
// credentials (Authorization or Cookie) even when the upstream did not mark
// them shareable with public or s-maxage. Use it only on routes whose
// responses are the same for every caller allowed to reach them, with the
// authorization block before the cache.
func ShareAuthorized() Option {
	return func(c *config) { c.shareAuthorized = true }
}

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

// Now sets the clock of the whole cache. If Now is not given or nil,
// time.Now is used.
func Now(now func() time.Time) Option {
	return func(c *config) {
		if !c.cacheWide("Now") {
			c.now = now
		}
	}
}

// ErrorHandler sets how errors are rendered to the client. If ErrorHandler
// is not given or nil, problem.Error renders them as problem+json.
func ErrorHandler(h func(http.ResponseWriter, *http.Request, error)) Option {
	return func(c *config) { c.errorHandler = h }
}

// OnError sets a function called with every error of the store and the
// operation that failed ("get", "set", "delete", "purge" or "flush"), for
// logs and metrics. Store errors never reach the client: a failed lookup is
// a miss and a failed write leaves the response unstored.
func OnError(f func(op string, err error)) Option {
	return func(c *config) {
		if !c.cacheWide("OnError") {
			c.onError = f
		}
	}
}

// StoreBackoff sets how long the cache skips its store after a store error,
// serving every request from upstream meanwhile. Zero asks the store every
// time. If StoreBackoff is not given, it is [DefaultStoreBackoff].
func StoreBackoff(d time.Duration) Option {
	return func(c *config) {
		if c.cacheWide("StoreBackoff") {
			return
		}
		if d < 0 {
			c.fail("StoreBackoff: %v is negative", d)
			return
		}
		c.backoff = d
	}
}

func appendUnique(dst []string, names ...string) []string {
	for _, n := range names {
		if !slices.Contains(dst, n) {
			dst = append(dst, n)
		}
	}
	return dst
}

func (c *config) err() error { return errors.Join(c.errs...) }

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
