package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/gatewaykit/gateway/internal/clientip"
	"github.com/gatewaykit/gateway/internal/pathnorm"
	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/internal/respwriter"
	"github.com/gatewaykit/gateway/problem"
)

// Gateway is an API gateway: an http.Handler that routes each request to an
// integration through the middleware its route declares. The builder
// methods (Upstream, Group, GET, …) edit a draft; [Gateway.Deploy] compiles
// the draft into an immutable snapshot served by a stage. A gateway that
// never deploys serves its draft, compiled on first use, as [DefaultStage].
//
// A Gateway is safe for concurrent use: requests, deployments and builder
// calls may run at the same time.
type Gateway struct {
	root Group
	cfg  config

	mu        sync.Mutex // guards the draft and the stage history
	routes    []*Route
	pre       []Middleware
	upstreams map[string]*Upstream
	errs      []error
	history   map[string]*stageHistory
	seq       uint64
	closers   []func() error

	lazy atomic.Pointer[lazyDraft] // the draft compiled on first use

	stages atomic.Pointer[stageTable]

	closeMu  sync.Mutex // held while Close runs, so that every Close waits for it
	closed   bool       // guarded by mu
	closeErr error      // guarded by closeMu
}

// New returns a gateway with the given options. With none it already
// recovers panics, assigns request IDs, normalises paths, bounds bodies and
// durations and renders errors as RFC 9457 problem+json.
func New(opts ...Option) *Gateway {
	g := &Gateway{cfg: defaultConfig(), upstreams: map[string]*Upstream{}, history: map[string]*stageHistory{}}
	g.root = Group{gw: g}
	for _, o := range opts {
		o(&g.cfg)
	}
	r, err := clientip.New(g.cfg.trusted...)
	if err == nil && g.cfg.trustedHops != 0 {
		if len(g.cfg.trusted) > 0 {
			err = errors.New("TrustedProxies and TrustedProxyHops cannot be combined")
		} else {
			r, err = clientip.NewHops(g.cfg.trustedHops)
		}
	}
	if err != nil {
		g.errs = append(g.errs, fmt.Errorf("gateway: %w", err))
		r, _ = clientip.New()
	}
	g.cfg.resolver = r
	g.errs = append(g.errs, g.cfg.errs...)
	if err := g.cfg.stageErr(); err != nil {
		g.errs = append(g.errs, err)
	}
	g.stages.Store(&stageTable{})
	return g
}

// Use adds gateway-wide middleware. It runs before routing, for every
// request including those that end in 404 or 405, after the gateway's own
// layers (recovery, request ID, path normalisation, stage selection); put
// CORS, IP policies and global throttles here. Middleware that needs the
// matched route belongs on a [Group] or [Route].
func (g *Gateway) Use(mw ...Middleware) *Gateway {
	g.mu.Lock()
	g.pre = append(g.pre, mw...)
	g.mu.Unlock()
	return g
}

// Group returns a route group with the given path prefix.
func (g *Gateway) Group(prefix string) *Group { return g.root.Group(prefix) }

// Route declares a route; see [Group.Route].
func (g *Gateway) Route(method, path string) *Route { return g.root.Route(method, path) }

// GET declares a GET route (HEAD is served by it too).
func (g *Gateway) GET(path string) *Route { return g.root.GET(path) }

// POST declares a POST route.
func (g *Gateway) POST(path string) *Route { return g.root.POST(path) }

// PUT declares a PUT route.
func (g *Gateway) PUT(path string) *Route { return g.root.PUT(path) }

// PATCH declares a PATCH route.
func (g *Gateway) PATCH(path string) *Route { return g.root.PATCH(path) }

// DELETE declares a DELETE route.
func (g *Gateway) DELETE(path string) *Route { return g.root.DELETE(path) }

// HEAD declares a HEAD route.
func (g *Gateway) HEAD(path string) *Route { return g.root.HEAD(path) }

// OPTIONS declares an OPTIONS route.
func (g *Gateway) OPTIONS(path string) *Route { return g.root.OPTIONS(path) }

// Any declares a route for every common method; see [Group.Any].
func (g *Gateway) Any(path string) *Route { return g.root.Any(path) }

// OnClose registers f to run when the gateway is closed, for blocks that own
// background work (health checks, key refreshers). Functions run in reverse
// order of registration. On a gateway already closed, f runs at once (its
// error is dropped), so that work started late does not outlive it.
func (g *Gateway) OnClose(f func() error) {
	g.mu.Lock()
	if !g.closed {
		g.closers = append(g.closers, f)
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()
	_ = f()
}

// Close stops the gateway's background work and that registered with
// [Gateway.OnClose]. It does not stop a server using the gateway; see
// [Gateway.Serve]. Close is idempotent: every call, concurrent ones
// included, returns once that work is stopped, with the error of the first.
func (g *Gateway) Close() error {
	g.closeMu.Lock()
	defer g.closeMu.Unlock()
	g.mu.Lock()
	already := g.closed
	g.closed = true
	closers := g.closers
	g.closers = nil
	g.mu.Unlock()
	if already {
		return g.closeErr
	}
	var errs []error
	for i := len(closers) - 1; i >= 0; i-- {
		errs = append(errs, closers[i]())
	}
	g.closeErr = errors.Join(errs...)
	return g.closeErr
}

// ServeHTTP serves a request: the gateway's own layers, then stage
// selection, gateway-wide middleware, routing and the route's chain.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st := &requestState{info: reqctx.Info{ErrorHandler: g.cfg.errorHandler, RequestIDHeader: g.cfg.requestIDHeader}}
	st.rw.Reset(w)
	rw, info := &st.rw, &st.info
	defer g.recoverPanic(rw, r, info)

	id := g.requestID(r)
	info.RequestID = id[0]
	rw.Header()[g.cfg.requestIDHeader] = id
	info.ClientIP, info.PeerTrusted = g.cfg.resolver.Resolve(r)
	g.sanitize(r, info.PeerTrusted)
	info.AddCopy(r)
	r = r.WithContext(reqctx.With(r.Context(), info))
	info.AddCopy(r)

	path, raw, err := pathnorm.Clean(r.URL.EscapedPath(), pathnorm.Options{AllowEncodedSlash: g.cfg.encodedSlash})
	if err != nil {
		g.reject(rw, r, problem.Wrap(err, http.StatusBadRequest, "The request path is malformed."))
		return
	}
	r.URL.Path, r.URL.RawPath = path, raw

	snap, err := g.selectStage(r, info)
	if err != nil {
		r.URL.Path, r.URL.RawPath = path, raw // as the client sent it, for logs
		g.reject(rw, r, err)
		return
	}
	snap.handler.ServeHTTP(rw, r)
}

// requestState is what the gateway allocates per request, in one piece.
type requestState struct {
	rw   respwriter.Writer
	info reqctx.Info
}
