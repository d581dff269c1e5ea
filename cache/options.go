package cache

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/textproto"
	"slices"
	"time"
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
	// MaxStaleIfError is the longest [StaleIfError] accepted.
	MaxStaleIfError = 24 * time.Hour
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
	staleIfError    time.Duration
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

// RespectUpstreamMaxAge sets whether an upstream's s-maxage, max-age or
// Expires shortens the route's TTL. It is on by default. Turned off, the
// route's TTL applies as is; no-store, private and the other rules that
// forbid storing still apply.
func RespectUpstreamMaxAge(on bool) Option {
	return func(c *config) { c.respectUpstream = on }
}

// StaleIfError keeps entries for d after they expire, and answers a
// request from such a stale entry, with X-Cache: Stale, when the upstream
// answers it with a 5xx error (as the gateway's proxy does when the
// upstream cannot be reached or times out), in the manner of RFC 5861's
// stale-if-error. Responses marked must-revalidate or proxy-revalidate are
// never served stale. If StaleIfError is not given or 0, stale entries are
// never served. d may be at most [MaxStaleIfError].
func StaleIfError(d time.Duration) Option {
	return func(c *config) {
		if d < 0 || d > MaxStaleIfError {
			c.fail("StaleIfError %v out of range [0, %v]", d, MaxStaleIfError)
			return
		}
		c.staleIfError = d
	}
}

// ShareAuthorized stores and shares responses to requests that carry
// credentials (Authorization, Cookie or X-Api-Key) or were authenticated
// (a principal in their context) even when the upstream did not mark them
// shareable with public or s-maxage. Use it only on routes whose
// responses are the same for every caller allowed to reach them, with the
// authorization block before the cache.
func ShareAuthorized() Option {
	return func(c *config) { c.shareAuthorized = true }
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
