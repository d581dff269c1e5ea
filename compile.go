package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gatewaykit/gateway/internal/pathnorm"
	"github.com/julienschmidt/httprouter"
)

// snapshot is a compiled, immutable deployment: a router and the handler
// chain of every route. Requests keep the snapshot they started on.
type snapshot struct {
	Deployment
	seq     uint64       // order of compilation: higher is newer
	prev    uint64       // seq of the deployment live before this one was made live; 0 if none
	handler http.Handler // gateway-wide middleware around the dispatcher
	reject  http.Handler // the same middleware around rejectHandler
}

// compileLocked compiles the draft with the given stage variables. It
// returns every configuration error at once. g.mu must be held.
func (g *Gateway) compileLocked(stage string, vars map[string]string) (*snapshot, error) {
	errs := slices.Clone(g.errs)
	for _, u := range g.usedUpstreamsLocked() {
		if err := u.Validate(vars); err != nil {
			errs = append(errs, fmt.Errorf("gateway: stage %q: %w", stage, err))
		}
	}
	d := &dispatcher{router: httprouter.New()}
	for _, rt := range g.routes {
		if err := g.addRoute(d, rt); err != nil {
			errs = append(errs, fmt.Errorf("gateway: route %s: %w", rt, err))
		}
	}
	var h, rej http.Handler = d, rejectHandler{}
	for i := len(g.pre) - 1; i >= 0; i-- {
		var err error
		if h, err = applyMiddleware(g.pre[i], h); err == nil {
			rej, err = applyMiddleware(g.pre[i], rej)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("gateway: gateway middleware %d: %w", i, err))
			break
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &snapshot{Deployment: Deployment{Stage: stage, Vars: vars}, handler: h, reject: rej}, nil
}

func (g *Gateway) addRoute(d *dispatcher, rt *Route) error {
	if len(rt.errs) > 0 {
		return errors.Join(rt.errs...)
	}
	if rt.kind == "" {
		return errors.New("has no integration (Proxy, Handle, HandleFunc or Mock)")
	}
	if rt.method != "" && !validHeaderName(rt.method) {
		return fmt.Errorf("invalid method %q", rt.method)
	}
	if err := checkRoutePath(rt.path); err != nil {
		return err
	}
	if pu, ok := rt.handler.(paramUser); ok {
		have := params(rt.path)
		for _, p := range pu.Params() {
			if !slices.Contains(have, p) {
				return fmt.Errorf("upstream path uses :%s, which the route does not define", p)
			}
		}
	}
	h := rt.handler
	if err := validate(h); err != nil {
		return fmt.Errorf("integration: %w", err)
	}
	mws := append(rt.group.chain(), rt.mws...)
	for i := len(mws) - 1; i >= 0; i-- {
		var err error
		if h, err = applyMiddleware(mws[i], h); err != nil {
			return fmt.Errorf("middleware %d: %w", i, err)
		}
	}
	timeout := g.cfg.timeout
	if rt.timeout != nil {
		timeout = *rt.timeout
	}
	maxBody := g.cfg.maxBody
	if rt.maxBody != nil {
		maxBody = *rt.maxBody
	}
	e := &routeEntry{template: rt.path, name: rt.name, next: h, timeout: max(timeout, 0), maxBody: maxBody}
	methods := []string{rt.method}
	if rt.method == "" {
		methods = anyMethods
	}
	for _, m := range methods {
		if err := d.register(m, rt.path, e.handle); err != nil {
			return err
		}
	}
	return nil
}

// applyMiddleware calls mw, turning a panic or a nil result into an error.
func applyMiddleware(mw Middleware, next http.Handler) (h http.Handler, err error) {
	if mw == nil {
		return nil, errors.New("nil middleware")
	}
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panicked while wrapping: %v", v)
		}
	}()
	if h = mw(next); h == nil {
		return nil, errors.New("returned a nil handler")
	}
	return h, validate(h)
}

// Validator is implemented by handlers that can report a configuration
// mistake. Blocks whose one-line constructors cannot return an error (so
// they fit in Use and Handle) return a handler implementing it; the gateway
// calls Validate on every integration handler and on every handler a
// middleware returns, and Deploy and Build report the error.
type Validator interface {
	Validate() error
}

// paramUser is implemented by integrations whose upstream paths use route
// parameters (the proxy, aggregates); the route must define each of them.
type paramUser interface {
	Params() []string
}

func validate(h http.Handler) error {
	if v, ok := h.(Validator); ok {
		return v.Validate()
	}
	return nil
}

// checkRoutePath rejects paths no normalised request could ever match.
func checkRoutePath(p string) error {
	if p == "" || p[0] != '/' {
		return errors.New("path must start with /")
	}
	clean, _, err := pathnorm.Clean(p, pathnorm.Options{})
	if err != nil || clean != p {
		return errors.New("path is not in canonical form (no //, dot segments, escapes or control characters)")
	}
	seen := map[string]bool{}
	for _, name := range params(p) {
		if seen[name] {
			return fmt.Errorf("parameter %q used twice", name)
		}
		seen[name] = true
	}
	for i := 1; i < len(p); i++ {
		if (p[i] == ':' || p[i] == '*') && p[i-1] != '/' {
			return errors.New("':' and '*' may only start a segment (as parameters); the router would read one inside a segment as a parameter")
		}
	}
	if i := strings.IndexByte(p, '*'); i >= 0 && strings.Contains(p[i:], "/") {
		return errors.New("catch-all parameter must be the last segment")
	}
	return nil
}

// usedUpstreamsLocked returns the gateway's upstreams, sorted by name,
// followed by those routes proxy to without their having been added to the
// gateway, in route order: every one has its stage variables checked.
func (g *Gateway) usedUpstreamsLocked() []*Upstream {
	us := make([]*Upstream, 0, len(g.upstreams))
	for _, u := range g.upstreams {
		us = append(us, u)
	}
	slices.SortFunc(us, func(a, b *Upstream) int { return strings.Compare(a.Name(), b.Name()) })
	for _, rt := range g.routes {
		if p, ok := rt.handler.(upstreamUser); ok {
			if u := p.Upstream(); u != nil && !slices.Contains(us, u) {
				us = append(us, u)
			}
		}
	}
	return us
}

// upstreamUser is implemented by integrations that forward to one
// upstream (the proxy).
type upstreamUser interface {
	Upstream() *Upstream
}

// routeEntry is a compiled route.
type routeEntry struct {
	template string
	name     string
	next     http.Handler
	timeout  time.Duration
	maxBody  int64
}
