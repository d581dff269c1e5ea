package gateway

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gatewaykit/gateway/proxy"
)

// Route is one method and path of the gateway, its middleware and its
// integration: exactly one of [Route.Proxy], [Route.Handle],
// [Route.HandleFunc] or [Route.Mock]. A route without an integration fails
// the build. Route methods return the route for chaining and record mistakes
// for [Gateway.Deploy] to report.
type Route struct {
	gw      *Gateway
	group   *Group
	method  string
	path    string
	name    string
	mws     []Middleware
	timeout *time.Duration
	maxBody *int64

	handler http.Handler
	kind    string // "proxy", "handler" or "mock"; "" until set
	errs    []error
}

// Use appends middleware that runs after the groups' middleware, in order.
func (r *Route) Use(mw ...Middleware) *Route {
	r.gw.mu.Lock()
	r.mws = append(r.mws, mw...)
	r.gw.mu.Unlock()
	return r
}

// Name names the route; the name is available to handlers and logs through
// [RouteFrom].
func (r *Route) Name(name string) *Route {
	r.gw.mu.Lock()
	r.name = name
	r.gw.mu.Unlock()
	return r
}

// Timeout overrides the gateway's [Timeout] for this route. Zero means no
// timeout.
func (r *Route) Timeout(d time.Duration) *Route {
	r.gw.mu.Lock()
	r.timeout = &d
	r.gw.mu.Unlock()
	return r
}

// MaxBodyBytes overrides the gateway's [MaxBodyBytes] for this route. A
// negative value means no limit.
func (r *Route) MaxBodyBytes(n int64) *Route {
	r.gw.mu.Lock()
	r.maxBody = &n
	r.gw.mu.Unlock()
	return r
}

// Proxy ends the route in a reverse proxy to upstream. path is the upstream
// path template: route parameters (":id", "*rest") are substituted, a query
// part ("/orders?user=:id") is merged before the client's query, and ""
// forwards the request path unchanged.
func (r *Route) Proxy(upstream *Upstream, path string, opts ...proxy.Option) *Route {
	if upstream == nil {
		r.fail(fmt.Errorf("proxy to an undeclared or invalid upstream"))
		return r
	}
	p, err := proxy.New(upstream, path, opts...)
	if err != nil {
		r.fail(err)
		return r
	}
	return r.set("proxy", p)
}

// Handle ends the route in an in-process handler, the analogue of a Lambda
// proxy integration. The handler reads path parameters, stage variables and
// the request ID through the package's context accessors.
func (r *Route) Handle(h http.Handler) *Route {
	if h == nil {
		r.fail(fmt.Errorf("nil handler"))
		return r
	}
	return r.set("handler", h)
}

// HandleFunc ends the route in an in-process handler function.
func (r *Route) HandleFunc(f func(http.ResponseWriter, *http.Request)) *Route {
	if f == nil {
		r.fail(fmt.Errorf("nil handler"))
		return r
	}
	return r.set("handler", http.HandlerFunc(f))
}

// Mock ends the route in a static response, with a final status (200 to
// 599; 204 and 304 without a body). headers are name/value pairs;
// without a Content-Type, one is chosen from the body (JSON when it starts
// with '{' or '[', plain text otherwise).
func (r *Route) Mock(status int, body string, headers ...string) *Route {
	m, err := newMock(status, body, headers)
	if err != nil {
		r.fail(err)
		return r
	}
	return r.set("mock", m)
}

func (r *Route) set(kind string, h http.Handler) *Route {
	r.gw.mu.Lock()
	defer r.gw.mu.Unlock()
	if r.kind != "" {
		r.errs = append(r.errs, fmt.Errorf("a second integration (%s after %s)", kind, r.kind))
		return r
	}
	r.kind, r.handler = kind, h
	return r
}

func (r *Route) fail(err error) {
	r.gw.mu.Lock()
	r.errs = append(r.errs, err)
	r.gw.mu.Unlock()
}

// String returns the route's method and path, e.g. "GET /users/:id" (or
// "ANY /files/*path"), as used in error messages.
func (r *Route) String() string {
	m := r.method
	if m == "" {
		m = "ANY"
	}
	return m + " " + r.path
}

// params returns the parameter names of a route path.
func params(path string) []string {
	var names []string
	for _, seg := range strings.Split(path, "/") {
		if len(seg) > 1 && (seg[0] == ':' || seg[0] == '*') {
			names = append(names, seg[1:])
		}
	}
	return names
}
