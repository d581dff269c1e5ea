package cors

import (
	"net/http"
	"strings"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

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
// is allowed. Browsers list only CORS-unsafe request headers in
// Access-Control-Request-Headers (Content-Type with a value such as
// application/json, an over-long Accept), and require each to be named in
// the answer, so a safelisted name found there is no exception. It does
// not allocate.
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
		if c.anyHeader {
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
