package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Middleware wraps a handler. It is an alias, so a []Middleware can be passed
// straight to other routers' Use methods and any func(http.Handler)
// http.Handler works here.
type Middleware = func(http.Handler) http.Handler

// Group is a set of routes sharing a path prefix and middleware. Groups
// nest; a route's middleware runs after its groups', outermost group first,
// in the order of Use calls.
type Group struct {
	gw     *Gateway
	parent *Group
	prefix string
	mws    []Middleware
}

// Use appends middleware that every route of the group (and of its
// subgroups) runs after routing. It returns g for chaining. Middleware added
// after a route was declared still applies to it: the chain is assembled at
// deploy time.
func (g *Group) Use(mw ...Middleware) *Group {
	g.gw.mu.Lock()
	g.mws = append(g.mws, mw...)
	g.gw.mu.Unlock()
	return g
}

// Group returns a subgroup whose prefix is g's prefix followed by prefix,
// which starts with "/". A prefix without it ("v2") is reported by
// [Gateway.Build] and [Gateway.Deploy], as is a route path without it:
// neither is glued to the segment before ("/v1v2").
func (g *Group) Group(prefix string) *Group {
	if prefix != "" && prefix[0] != '/' {
		g.gw.mu.Lock()
		g.gw.errs = append(g.gw.errs, fmt.Errorf("gateway: group %q: prefix must start with /", g.prefix+prefix))
		g.gw.mu.Unlock()
	}
	return &Group{gw: g.gw, parent: g, prefix: g.prefix + strings.TrimSuffix(prefix, "/")}
}

// Route declares a route for method (an HTTP method, or "" for any method)
// and path relative to the group. Path parameters are written ":name" (one
// segment) and "*name" (the rest of the path, last only).
func (g *Group) Route(method, path string) *Route {
	r := &Route{gw: g.gw, group: g, method: method, path: g.prefix + path}
	if path != "" && path[0] != '/' {
		r.errs = append(r.errs, errors.New("path must start with /"))
	}
	g.gw.mu.Lock()
	g.gw.routes = append(g.gw.routes, r)
	g.gw.mu.Unlock()
	return r
}

// GET declares a GET route; HEAD requests are served by it too unless a
// HEAD route exists.
func (g *Group) GET(path string) *Route { return g.Route(http.MethodGet, path) }

// POST declares a POST route.
func (g *Group) POST(path string) *Route { return g.Route(http.MethodPost, path) }

// PUT declares a PUT route.
func (g *Group) PUT(path string) *Route { return g.Route(http.MethodPut, path) }

// PATCH declares a PATCH route.
func (g *Group) PATCH(path string) *Route { return g.Route(http.MethodPatch, path) }

// DELETE declares a DELETE route.
func (g *Group) DELETE(path string) *Route { return g.Route(http.MethodDelete, path) }

// HEAD declares a HEAD route.
func (g *Group) HEAD(path string) *Route { return g.Route(http.MethodHead, path) }

// OPTIONS declares an OPTIONS route. Without one, OPTIONS requests to a known
// path get 204 with an Allow header.
func (g *Group) OPTIONS(path string) *Route { return g.Route(http.MethodOptions, path) }

// Any declares a route for GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS.
func (g *Group) Any(path string) *Route { return g.Route("", path) }

var anyMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions,
}

// chain returns the group middleware for a route, outermost first.
func (g *Group) chain() []Middleware {
	if g == nil {
		return nil
	}
	return append(g.parent.chain(), g.mws...)
}
