package proxy

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// Proxy is an http.Handler that forwards requests to an [Upstream], built on
// httputil.ReverseProxy with a Rewrite function. See the package
// documentation for what it sends and how it reports errors.
type Proxy struct {
	up   *Upstream
	tmpl *pathTemplate
	rp   httputil.ReverseProxy
}

// New returns a Proxy that forwards to u. path is the upstream path template
// ("/internal/users/:id", "/files/*rest", "/orders?user=:id"): the route's
// parameters are substituted, escaped so that they cannot add segments, a
// query or a fragment, and the result is joined to the target's base path.
// A query part in the template comes before the client's query, which is
// passed through. An empty path forwards the request's (normalised) path
// unchanged.
func New(u *Upstream, path string, opts ...Option) (*Proxy, error) {
	if u == nil {
		return nil, errors.New("proxy: nil upstream")
	}
	tmpl, err := parseTemplate(path)
	if err != nil {
		return nil, err
	}
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	p := &Proxy{up: u, tmpl: tmpl}
	rt := cfg.transport
	if rt == nil {
		rt = u.Transport()
	}
	eh := cfg.errorHandler
	if eh == nil {
		eh = DefaultErrorHandler
	}
	logger := cfg.errorLog
	if logger == nil {
		logger = slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn)
	}
	g := guard{rt: rt, up: u, brk: u.brk, retry: u.retry}
	if cfg.breaker != nil {
		g.brk = cfg.breaker
	}
	if cfg.retry != nil {
		if g.retry, err = newRetrier(*cfg.retry); err != nil {
			return nil, errors.New("proxy: " + err.Error())
		}
	}
	g.plain = u.plain && g.brk == nil && g.retry == nil
	p.rp = httputil.ReverseProxy{
		Rewrite:        p.rewrite,
		Transport:      g,
		FlushInterval:  cfg.flushInterval,
		ErrorLog:       logger,
		BufferPool:     copyBuffers,
		ModifyResponse: cfg.modifyResponse,
		ErrorHandler:   eh,
	}
	return p, nil
}

// Params returns the names of the route parameters the path template uses,
// in order of first use.
func (p *Proxy) Params() []string { return append([]string(nil), p.tmpl.names...) }

// Upstream returns the upstream p forwards to.
func (p *Proxy) Upstream() *Upstream { return p.up }

// ServeHTTP forwards r to the upstream and copies the answer to w.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.rp.ServeHTTP(w, r)
}

// rewrite turns the inbound request into the upstream request. ReverseProxy
// has already removed the hop-by-hop headers (also those the client listed
// in Connection) and the forwarding headers from pr.Out.
func (p *Proxy) rewrite(pr *httputil.ProxyRequest) {
	in, out := pr.In, pr.Out
	info := reqctx.From(in.Context())
	d, err := p.up.next(in, info)
	if err != nil {
		fail(pr, err)
		return
	}
	u := out.URL
	u.Scheme, u.Host = d.scheme, d.host
	u.Opaque, u.User, u.Fragment, u.RawFragment = "", nil, "", ""
	if p.tmpl.passthrough {
		joinBase(u, d)
	} else {
		var ps reqctx.Params
		if info != nil {
			ps = info.Params
		}
		var stack [160]byte
		if u.Path, u.RawPath, err = p.tmpl.expand(stack[:0], d.baseEsc, d.baseDec, d.baseRaw, ps); err != nil {
			fail(pr, err)
			return
		}
		if u.RawQuery, err = p.tmpl.expandQuery(stack[:0], ps, u.RawQuery); err != nil {
			fail(pr, err)
			return
		}
		u.ForceQuery = false
	}
	if info != nil {
		info.Upstream = p.up.name
	}
	out.Host = p.up.hostFor(in)
	setForwarding(in, out.Header, info)
}

// joinBase prefixes u's path with the target's base path.
func joinBase(u *url.URL, d *dest) {
	if d.baseEsc == "" {
		return
	}
	sep := ""
	if u.Path == "" || u.Path[0] != '/' {
		sep = "/"
	}
	if u.RawPath == "" && !d.baseRaw {
		u.Path = d.baseDec + sep + u.Path
		return
	}
	esc := u.EscapedPath()
	u.Path = d.baseDec + sep + u.Path
	u.RawPath = d.baseEsc + sep + esc
}
