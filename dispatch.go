package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gatewaykit/gateway/internal/pathnorm"
	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
	"github.com/julienschmidt/httprouter"
)

// dispatcher routes a normalised request to its route entry and answers 404,
// 405 and automatic OPTIONS itself.
type dispatcher struct {
	router  *httprouter.Router
	methods []string // registered methods, for Allow
}

// register adds a route, turning httprouter's panics (conflicting or
// duplicate routes, bad parameter syntax) into errors.
func (d *dispatcher) register(method, path string, h httprouter.Handle) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
	}()
	d.router.Handle(method, path, h)
	if !slices.Contains(d.methods, method) {
		d.methods = append(d.methods, method)
		slices.Sort(d.methods)
	}
	return nil
}

func (d *dispatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, marked := routePath(r.URL)
	h, ps, _ := d.router.Lookup(r.Method, path)
	if h == nil && r.Method == http.MethodHead {
		h, ps, _ = d.router.Lookup(http.MethodGet, path)
	}
	if h != nil {
		if marked {
			for i := range ps {
				ps[i].Value = strings.ReplaceAll(ps[i].Value, string(pathnorm.SlashMark), "/")
			}
		}
		h(w, r, ps)
		return
	}
	allow := d.allowed(path)
	switch {
	case allow == "":
		problem.Error(w, r, problem.New(http.StatusNotFound, "No route matches the request."))
	case r.Method == http.MethodOptions:
		w.Header().Set("Allow", allow)
		w.WriteHeader(http.StatusNoContent)
	default:
		problem.Error(w, r, problem.New(http.StatusMethodNotAllowed, "The route does not accept this method.").
			WithHeader("Allow", allow))
	}
}

// routePath returns the path r is routed by: its decoded path, except that
// a segment holding an encoded slash (see [AllowEncodedSlash]) stays one
// segment, its slash written as pathnorm.SlashMark; marked reports that
// the path has such a segment.
func routePath(u *url.URL) (path string, marked bool) {
	if u.RawPath == "" {
		return u.Path, false
	}
	p, ok := pathnorm.RoutePath(u.EscapedPath())
	if !ok || p == u.Path {
		return u.Path, false
	}
	return p, true
}

// allowed lists the methods that have a route for path; "" when none has.
func (d *dispatcher) allowed(path string) string {
	var allow []string
	for _, m := range d.methods {
		if h, _, _ := d.router.Lookup(m, path); h != nil {
			allow = append(allow, m)
			if m == http.MethodGet { // HEAD falls back to GET
				allow = append(allow, http.MethodHead)
			}
		}
	}
	if len(allow) == 0 {
		return ""
	}
	if !slices.Contains(allow, http.MethodOptions) {
		allow = append(allow, http.MethodOptions)
	}
	slices.Sort(allow)
	return strings.Join(slices.Compact(allow), ", ")
}

// handle is the httprouter handle of a route: it records the match in the
// request's Info and runs the route's layers and chain.
func (e *routeEntry) handle(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	if info := reqctx.From(r.Context()); info != nil {
		info.Route, info.RouteName = e.template, e.name
		if len(ps) > 0 {
			params := make(reqctx.Params, len(ps))
			for i, p := range ps {
				params[i] = reqctx.Param{Key: p.Key, Value: p.Value}
			}
			info.Params = params
		}
	}
	e.serve(w, r)
}
