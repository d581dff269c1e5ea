package ratelimit

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Option configures a [Limiter] or [Plans].
type Option func(*config)

// DefaultTimeout is how long a limiter waits for a store that may fail
// before applying its failure policy.
const DefaultTimeout = 100 * time.Millisecond

// DefaultBackoff is how long a limiter applies its failure policy without
// asking the store again after the store failed.
const DefaultBackoff = time.Second

type config struct {
	name         string
	key          keyFunc
	keySet       bool
	store        Store
	quota        Quota
	quotaSet     bool
	headers      bool
	errorHandler func(http.ResponseWriter, *http.Request, error)
	failOpen     bool
	fallback     Store
	timeout      time.Duration
	backoff      time.Duration
	now          func() time.Time
	onError      func(limiter string, err error)
	defaultPlan  string
	errs         []error
}

func newConfig(opts []Option) *config {
	c := &config{key: global, headers: true, failOpen: true, timeout: DefaultTimeout, backoff: DefaultBackoff}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

func (c *config) setKey(k keyFunc) {
	if c.keySet {
		c.errs = append(c.errs, errors.New("ratelimit: more than one key option (By...)"))
	}
	c.key, c.keySet = k, true
}

// Name names the limit. The name is the policy name in the RateLimit and
// RateLimit-Policy headers and separates the limit's state from other
// limits in a shared store: limiters on different gateway instances that
// enforce one limit together share a name. It is required with
// [WithStore]; without it the name is "default" and the limiter keeps its
// state to itself. A name is 1 to 64 printable ASCII characters other than
// '"' and '\'.
func Name(name string) Option {
	return func(c *config) { c.name = name }
}

// WithStore keeps the limiter's state in s, for example a
// redisstore.RateLimitStore shared by many gateway instances. It requires
// [Name]. If no store is given, the limiter keeps its state in its own
// [MemoryStore].
func WithStore(s Store) Option {
	return func(c *config) {
		if s == nil {
			c.errs = append(c.errs, errors.New("ratelimit: WithStore needs a store"))
			return
		}
		c.store = s
	}
}

// WithQuota adds a calendar quota to a [Limiter], counted per key. It does
// not apply to [Plans], whose plans carry their own quotas.
func WithQuota(q Quota) Option {
	return func(c *config) { c.quota, c.quotaSet = q, true }
}

// Headers turns the RateLimit and RateLimit-Policy headers on successful
// responses on or off; they are on by default. Refusals always carry them.
func Headers(on bool) Option {
	return func(c *config) { c.headers = on }
}

// ErrorHandler sets the function that renders refusals. It receives a
// [*problem.Problem] wrapping [ErrLimited], [ErrQuotaExceeded],
// [ErrUnavailable] or [ErrNoPlan]. If nil, the default is problem.Error.
func ErrorHandler(h func(http.ResponseWriter, *http.Request, error)) Option {
	return func(c *config) { c.errorHandler = h }
}

// FailOpen admits requests when the store fails or does not answer within
// the timeout, which is the default. When fallback is not nil, it decides
// instead with the same limits, for example a [MemoryStore] that enforces
// the limits per instance while the shared store is away.
func FailOpen(fallback Store) Option {
	return func(c *config) { c.failOpen, c.fallback = true, fallback }
}

// FailClosed refuses requests with 503 Service Unavailable ([ErrUnavailable])
// when the store fails or does not answer within the timeout.
func FailClosed() Option {
	return func(c *config) { c.failOpen, c.fallback = false, nil }
}

// Timeout bounds how long a decision waits for a store that may fail. If d
// is 0, the default is [DefaultTimeout]. A request's own deadline (a route
// timeout) bounds it too when it is sooner, and a store that has not
// answered by then has failed just the same. A [MemoryStore] is never
// timed.
func Timeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// Backoff sets how long, after the store failed, the limiter applies its
// failure policy without asking the store, so an unreachable store costs
// one timeout per Backoff rather than one per request. The first decision
// after that asks the store again, so the limiter recovers by itself. If d
// is 0, the default is [DefaultBackoff]; a negative d asks every time.
func Backoff(d time.Duration) Option {
	return func(c *config) { c.backoff = d }
}

// Clock sets the limiter's clock, used for the failure backoff and by the
// limiter's own [MemoryStore]. If nil, the default is time.Now.
func Clock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// OnStoreError calls fn with the limiter's [Name] and every error of its
// store (including timeouts), for logs and metrics. It is not called while
// the limiter backs off. fn must be safe for concurrent use and return
// quickly.
func OnStoreError(fn func(limiter string, err error)) Option {
	return func(c *config) { c.onError = fn }
}

// DefaultPlan makes [Plans] apply the named plan to keys assigned to no
// plan, instead of refusing them with 403. It does not apply to a
// [Limiter].
func DefaultPlan(name string) Option {
	return func(c *config) { c.defaultPlan = name }
}

// finish fills defaults (a memory store when none was given) and
// validates what every block shares.
func (c *config) finish() error {
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.backoff == 0 {
		c.backoff = DefaultBackoff
	}
	if c.timeout < 0 {
		c.errs = append(c.errs, fmt.Errorf("ratelimit: negative timeout %s", c.timeout))
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.errorHandler == nil {
		c.errorHandler = problemError
	}
	if c.store == nil {
		s, err := NewMemoryStore(MemoryOptions{Now: c.now})
		if err != nil {
			c.errs = append(c.errs, err)
		}
		c.store = s
	}
	return errors.Join(c.errs...)
}

// validName reports whether s can be a policy name: the content of a
// structured-field string, short and printable.
func validName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// settleName gives an unnamed limiter the name def, unless it shares a
// store (where state is kept apart by name, so what must be named), and
// records an invalid name as an error.
func (c *config) settleName(def, what string) {
	switch {
	case c.name == "" && c.store != nil:
		c.errs = append(c.errs, errors.New("ratelimit: WithStore needs a Name so that "+what+" sharing the store stay apart"))
	case c.name == "":
		c.name = def
	case !validName(c.name):
		c.errs = append(c.errs, fmt.Errorf("ratelimit: invalid name %q", c.name))
	}
}
