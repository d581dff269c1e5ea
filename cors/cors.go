package cors

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatewaykit/gateway/internal/reqctx"
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
			if !c.origins.any || c.credentials {
				addVary(w.Header(), varyOrigin)
			}
			next.ServeHTTP(w, r)
			return
		}
		if c.wildcard == nil {
			addVary(w.Header(), varyOrigin)
		}
		if !c.origins.allowed(origin) {
			next.ServeHTTP(w, r)
			return
		}
		c.setActual(w.Header(), r.Header[originHeader])
		next.ServeHTTP(&writer{ResponseWriter: w, c: c, origin: r.Header[originHeader]}, r)
	})
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

func (c *CORS) preflight(w http.ResponseWriter, r *http.Request, origin string) {
	h := w.Header()
	addVary(h, varyPreflight)
	method := headerValue(r.Header, requestMethod)
	reqHeaders := strings.Join(r.Header[requestHeaders], ",")
	switch {
	case !c.origins.allowed(origin):
		c.reject(w, r, "The origin is not allowed.")
		return
	case !c.methodAllowed(method):
		c.reject(w, r, "The method is not allowed for cross-origin requests.")
		return
	case !c.headersAllowed(reqHeaders):
		c.reject(w, r, "A requested header is not allowed for cross-origin requests.")
		return
	}
	c.setActual(h, r.Header[originHeader])
	delete(h, "Access-Control-Expose-Headers") // meaningless on a preflight
	if c.anyMethod {
		h["Access-Control-Allow-Methods"] = []string{method}
	} else {
		h["Access-Control-Allow-Methods"] = c.allowMethods
	}
	if c.anyHeader {
		if reqHeaders != "" {
			h["Access-Control-Allow-Headers"] = []string{reqHeaders}
		}
	} else if c.allowHeaders != nil {
		h["Access-Control-Allow-Headers"] = c.allowHeaders
	}
	h["Access-Control-Max-Age"] = c.maxAge
	w.WriteHeader(http.StatusNoContent)
}

func (c *CORS) reject(w http.ResponseWriter, r *http.Request, detail string) {
	reqctx.From(r.Context()).SetError("ACCESS_DENIED")
	c.errorHandler(w, r, problem.Wrap(ErrPreflightRejected, http.StatusForbidden, detail))
}

func (c *CORS) methodAllowed(m string) bool {
	if c.anyMethod || m == http.MethodGet || m == http.MethodHead || m == http.MethodPost {
		return validToken(m)
	}
	for _, a := range c.methods {
		if a == m {
			return true
		}
	}
	return false
}

// headersAllowed reports whether every header in the comma-separated list
// is allowed or CORS-safelisted. It does not allocate.
func (c *CORS) headersAllowed(list string) bool {
	for list != "" {
		var name string
		name, list, _ = strings.Cut(list, ",")
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !validToken(name) {
			return false
		}
		if c.anyHeader || safelisted(name) {
			continue
		}
		ok := false
		for _, a := range c.headers {
			if strings.EqualFold(a, name) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func safelisted(name string) bool {
	for _, s := range [...]string{"Accept", "Accept-Language", "Content-Language", "Content-Type"} {
		if strings.EqualFold(s, name) {
			return true
		}
	}
	return false
}

// headerValue returns the first value of the canonical header k without
// the allocation of http.Header.Get's canonicalisation.
func headerValue(h http.Header, k string) string {
	if vs := h[k]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// addVary adds v to the Vary header unless it is already there.
func addVary(h http.Header, v string) {
	for _, have := range h["Vary"] {
		if have == v || have == "*" {
			return
		}
	}
	h["Vary"] = append(h["Vary"], v)
}

func joined(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	return []string{strings.Join(list, ", ")}
}

func appendUnique(list []string, s string) []string {
	for _, have := range list {
		if have == s {
			return list
		}
	}
	return append(list, s)
}

// validToken reports whether s is an RFC 9110 token, the syntax of method
// and header names.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlpha(c) || isDigit(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}
