package cors

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatewaykit/gateway/problem"
)

// ErrPreflightRejected is the cause of the 403 answer to a preflight request
// whose origin, method or headers are not allowed.
var ErrPreflightRejected = errors.New("cors: preflight request rejected")

// CORS is a compiled cross-origin policy. It is safe for concurrent use.
type CORS struct {
	origins      originSet
	anyMethod    bool
	methods      []string // canonical upper-case method names
	anyHeader    bool
	headers      []string // canonical header names
	credentials  bool
	errorHandler func(http.ResponseWriter, *http.Request, error)

	// Precomputed header values, so answering allocates nothing.
	allowMethods  []string
	allowHeaders  []string
	exposeHeaders []string
	maxAge        []string
	wildcard      []string // ["*"] when any origin is allowed without credentials
}

var (
	trueValue      = []string{"true"}
	varyOrigin     = "Origin"
	varyPreflight  = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
	originHeader   = "Origin"
	requestMethod  = "Access-Control-Request-Method"
	requestHeaders = "Access-Control-Request-Headers"
)

// New compiles a CORS policy. It returns every configuration mistake at
// once; see the package documentation for the rules.
func New(opts ...Option) (*CORS, error) {
	cfg := config{maxAge: DefaultMaxAge, errorHandler: problem.Error}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.methods == nil {
		cfg.methods = defaultMethods
	}
	if cfg.headers == nil {
		cfg.headers = defaultHeaders
	}
	if cfg.errorHandler == nil {
		cfg.errorHandler = problem.Error
	}
	c := &CORS{credentials: cfg.credentials, errorHandler: cfg.errorHandler}
	var errs []error
	var err error
	if c.origins, err = compileOrigins(cfg.origins); err != nil {
		errs = append(errs, err)
	}
	if len(cfg.origins) == 0 {
		errs = append(errs, errors.New("cors: no allowed origin (use Origins)"))
	}
	if c.origins.any && c.credentials {
		errs = append(errs, errors.New(`cors: the "*" origin cannot be combined with Credentials; list the origins`))
	}
	for _, m := range cfg.methods {
		switch {
		case m == "*":
			c.anyMethod = true
		case !validToken(m):
			errs = append(errs, fmt.Errorf("cors: invalid method %q", m))
		default:
			c.methods = appendUnique(c.methods, strings.ToUpper(m))
		}
	}
	for _, h := range cfg.headers {
		switch {
		case h == "*":
			c.anyHeader = true
		case !validToken(h):
			errs = append(errs, fmt.Errorf("cors: invalid request header name %q", h))
		default:
			c.headers = appendUnique(c.headers, http.CanonicalHeaderKey(h))
		}
	}
	var exposed []string
	for _, h := range cfg.exposed {
		switch {
		case h == "*" && c.credentials:
			errs = append(errs, errors.New(`cors: Expose("*") is read literally by browsers when Credentials is set; list the headers`))
		case h != "*" && !validToken(h):
			errs = append(errs, fmt.Errorf("cors: invalid exposed header name %q", h))
		case h == "*":
			exposed = appendUnique(exposed, h)
		default:
			exposed = appendUnique(exposed, http.CanonicalHeaderKey(h))
		}
	}
	if cfg.maxAge < 0 || cfg.maxAge > MaxMaxAge {
		errs = append(errs, fmt.Errorf("cors: max-age %v out of range [0, %v]", cfg.maxAge, MaxMaxAge))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c.allowMethods = joined(c.methods)
	c.allowHeaders = joined(c.headers)
	c.exposeHeaders = joined(exposed)
	c.maxAge = []string{strconv.FormatInt(int64(cfg.maxAge.Seconds()), 10)}
	if c.origins.any && !c.credentials {
		c.wildcard = []string{"*"}
	}
	return c, nil
}

// Middleware returns c as a middleware: c.Handler.
func (c *CORS) Middleware() func(http.Handler) http.Handler { return c.Handler }

// Handler returns a handler that applies the policy and calls next for every
// request except preflights.
func (c *CORS) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := headerValue(r.Header, originHeader)
		if r.Method == http.MethodOptions && origin != "" && headerValue(r.Header, requestMethod) != "" {
			c.preflight(w, r, origin)
			return
		}
		if origin == "" {
			if c.wildcard != nil {
				// The answer is the same for every origin: say so, so a
				// shared cache may serve it to cross-origin requests too.
				c.setActual(w.Header(), nil)
				next.ServeHTTP(&writer{ResponseWriter: w, c: c, origin: c.wildcard}, r)
				return
			}
			addVary(w.Header(), varyOrigin)
			next.ServeHTTP(&writer{ResponseWriter: w, c: c, noOrigin: true}, r)
			return
		}
		if c.wildcard == nil {
			addVary(w.Header(), varyOrigin)
		}
		if !c.origins.allowed(origin) {
			// Without the headers the browser keeps the response from the
			// page, including any an upstream sets to allow everyone.
			next.ServeHTTP(&writer{ResponseWriter: w, c: c}, r)
			return
		}
		c.setActual(w.Header(), r.Header[originHeader])
		next.ServeHTTP(&writer{ResponseWriter: w, c: c, origin: r.Header[originHeader]}, r)
	})
}

// stripActual removes the headers that would let a page read a response.
func stripActual(h http.Header) {
	delete(h, "Access-Control-Allow-Origin")
	delete(h, "Access-Control-Allow-Credentials")
	delete(h, "Access-Control-Expose-Headers")
}

// setActual sets the headers of an allowed non-preflight response.
func (c *CORS) setActual(h http.Header, origin []string) {
	if c.wildcard != nil {
		h["Access-Control-Allow-Origin"] = c.wildcard
	} else {
		h["Access-Control-Allow-Origin"] = origin[:1:1]
	}
	if c.credentials {
		h["Access-Control-Allow-Credentials"] = trueValue
	} else {
		delete(h, "Access-Control-Allow-Credentials")
	}
	if c.exposeHeaders != nil {
		h["Access-Control-Expose-Headers"] = c.exposeHeaders
	} else {
		delete(h, "Access-Control-Expose-Headers")
	}
}
