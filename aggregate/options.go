package aggregate

import (
	"errors"
	"net/http"
	"strconv"
	"time"
)

// Part is an argument of [New] and [Compile]: a [*Leg] or an [Option].
type Part interface{ apply(*config) }

// Option configures an aggregate.
type Option func(*config)

func (o Option) apply(c *config) {
	if o != nil {
		o(c)
	}
}

// Strategy says how the legs' results are merged.
type Strategy int

const (
	// Shallow merges the top-level members of the legs' objects (a grouped
	// leg contributes one member, its group key). When two legs bring the
	// same member, the earlier leg in declaration order keeps it; the later
	// one's member is dropped and, unless its value is byte for byte the
	// same, reported as a conflict, which makes the response partial (see
	// the package documentation). Two legs grouped
	// under the same key are a configuration error.
	Shallow Strategy = iota
	// Deep merges objects recursively: members present in several legs are
	// merged when all are objects and concatenated when all are arrays;
	// other clashes keep the earlier leg's value and are reported as a
	// conflict, as with Shallow.
	Deep
	// Concat returns one array: the elements of every leg that returned an
	// array, in leg order, and any other value as one element.
	Concat
)

// Defaults of the per-leg limits.
const (
	// DefaultMaxBytes is the default limit of a leg's response body.
	DefaultMaxBytes = 1 << 20
	// DefaultMaxDepth is the default limit of a leg's JSON nesting.
	DefaultMaxDepth = 64
	// DefaultMaxBodyBytes is the default limit of a client body forwarded
	// to legs.
	DefaultMaxBodyBytes = 1 << 20
)

// CompleteHeader is the response header that tells whether every leg
// contributed: "true", or "false" for a partial response.
const CompleteHeader = "X-Aggregate-Complete"

type config struct {
	legs         []*Leg
	strategy     Strategy
	errorsField  string
	passFailure  bool
	errorHandler func(http.ResponseWriter, *http.Request, error)
	now          func() time.Time
	maxBytes     int64
	maxDepth     int
	maxBody      int64
	errs         []error
}

// Merge sets the merge strategy; the default is [Shallow].
func Merge(s Strategy) Option {
	return func(c *config) {
		if s < Shallow || s > Concat {
			c.errs = append(c.errs, errors.New("unknown merge strategy "+strconv.Itoa(int(s))))
			return
		}
		c.strategy = s
	}
}

// ErrorsField adds, to a partial response whose result is an object, a
// member named name mapping each failed leg's name to a short reason
// ("timeout", "status 503", …). The same map is added to error responses
// as the problem extension "legs". Off by default: clients then see only
// the [CompleteHeader].
func ErrorsField(name string) Option {
	return func(c *config) {
		if name == "" {
			c.errs = append(c.errs, errors.New("empty ErrorsField name"))
			return
		}
		c.errorsField = name
	}
}

// PassFailure makes an aggregate that fails because of one leg's error
// status (4xx or 5xx) answer with that status and body instead of a 502
// problem, as if the client had called the backend directly; any other
// status (a redirect, 304) still gives a 502. Of the backend's headers,
// only Content-Type, Retry-After, WWW-Authenticate and those the leg lets
// through with [Leg.ResponseHeaders] are passed.
func PassFailure() Option {
	return func(c *config) { c.passFailure = true }
}

// ErrorHandler sets the function that renders the aggregate's errors. If
// nil, the default is problem.Error, which honours a gateway's error
// handler.
func ErrorHandler(h func(http.ResponseWriter, *http.Request, error)) Option {
	return func(c *config) { c.errorHandler = h }
}

// Clock sets the clock used to measure leg latency. If nil, the default is
// time.Now.
func Clock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// MaxBytes sets the default limit of each leg's response body
// ([DefaultMaxBytes] unless set).
func MaxBytes(n int64) Option {
	return func(c *config) {
		if n <= 0 {
			c.errs = append(c.errs, errors.New("MaxBytes must be positive"))
			return
		}
		c.maxBytes = n
	}
}

// MaxDepth sets the default limit of each leg's JSON nesting
// ([DefaultMaxDepth] unless set, at most 1024).
func MaxDepth(n int) Option {
	return func(c *config) {
		if n <= 0 || n > maxDepthLimit {
			c.errs = append(c.errs, errors.New("MaxDepth must be between 1 and "+strconv.Itoa(maxDepthLimit)))
			return
		}
		c.maxDepth = n
	}
}

// MaxBodyBytes sets the limit of the client's request body that legs with
// [Leg.ForwardBody] send ([DefaultMaxBodyBytes] unless set).
func MaxBodyBytes(n int64) Option {
	return func(c *config) {
		if n <= 0 {
			c.errs = append(c.errs, errors.New("MaxBodyBytes must be positive"))
			return
		}
		c.maxBody = n
	}
}
