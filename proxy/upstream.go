package proxy

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/internal/reqctx"
)

// Upstream is a named set of target base URLs that requests are spread over
// (round-robin unless configured otherwise), with the resilience its
// options add: a circuit breaker, retries, a timeout, passive and active
// health checks. It is safe for concurrent use and shared by every [Proxy]
// that forwards to it and every caller of [Upstream.Do]. An upstream with
// active health checks must be closed with [Upstream.Close].
//
// A target may contain stage variable placeholders, written
// ${stageVariables.NAME}, anywhere in the URL. They are resolved per request
// from the stage variables of the deployment serving it; targets without
// placeholders are parsed once, and resolved URLs are cached so the steady
// state parses nothing.
type Upstream struct {
	name         string
	raw          []string
	members      []*member
	bal          balancer
	host         string
	preserveHost bool
	transport    http.RoundTripper

	brk      *breaker.Breaker
	retry    *retrier
	timeout  time.Duration
	passive  *PassiveHealth
	prober   *prober
	checked  bool // targets may be unhealthy: choose looks at health
	plain    bool // no resilience feature: the proxy's fast path
	onHealth func(upstream, target string, healthy bool)
	clock    func() time.Time
}

// UpstreamOption configures an [Upstream].
type UpstreamOption func(*upstreamConfig)

type upstreamConfig struct {
	host         *string
	preserveHost bool
	transport    http.RoundTripper
	resilience
}

// Host sets the Host header sent to the upstream. By default it is the
// selected target's host (and port).
func Host(h string) UpstreamOption {
	return func(c *upstreamConfig) { c.host = &h }
}

// PreserveHost sends the client's Host header to the upstream instead of the
// target's host.
func PreserveHost() UpstreamOption {
	return func(c *upstreamConfig) { c.preserveHost = true }
}

// WithTransport sets the transport used to reach the upstream. If not set
// (or nil), [DefaultTransport] is used. A [Proxy]'s own [Transport] option
// takes precedence.
func WithTransport(rt http.RoundTripper) UpstreamOption {
	return func(c *upstreamConfig) { c.transport = rt }
}

// NewUpstream returns an upstream named name that spreads requests over
// targets, absolute http or https base URLs that may carry a base path
// ("http://10.0.0.5:8080/api"). It returns an error naming the upstream and
// the target when there is no target, a target is not an absolute http(s)
// URL, has user information, a query or a fragment, or has a malformed
// stage variable placeholder.
func NewUpstream(name string, targets []string, opts ...UpstreamOption) (*Upstream, error) {
	prefix := "proxy: upstream " + strconv.Quote(name)
	if name == "" {
		return nil, errors.New("proxy: upstream has no name")
	}
	if len(targets) == 0 {
		return nil, errors.New(prefix + ": no targets")
	}
	var cfg upstreamConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	u := &Upstream{
		name:         name,
		raw:          append([]string(nil), targets...),
		bal:          &roundRobin{},
		preserveHost: cfg.preserveHost,
		transport:    cfg.transport,
	}
	if cfg.clock != nil {
		u.clock = cfg.clock
	}
	if cfg.host != nil {
		if cfg.preserveHost {
			return nil, errors.New(prefix + ": Host and PreserveHost are exclusive")
		}
		if !validHost(*cfg.host) {
			return nil, errors.New(prefix + ": invalid Host " + strconv.Quote(*cfg.host))
		}
		u.host = *cfg.host
	}
	var errs []error
	for _, raw := range targets {
		t, err := newTarget(raw)
		if err != nil {
			errs = append(errs, errors.New(prefix+": target "+strconv.Quote(raw)+": "+err.Error()))
			continue
		}
		u.members = append(u.members, &member{t: t})
	}
	if err := u.configure(&cfg.resilience); err != nil {
		errs = append(errs, errors.New(prefix+": "+err.Error()))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if cfg.health != nil {
		u.startProber(*cfg.health)
	}
	return u, nil
}

// validHost accepts a non-empty host[:port] without spaces, controls or URL
// delimiters.
func validHost(h string) bool {
	if h == "" {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c <= ' ' || c >= 0x7f || c == '/' || c == '?' || c == '#' || c == '@' || c == '\\' || c == '"' {
			return false
		}
	}
	return true
}

// Name returns the upstream's name.
func (u *Upstream) Name() string { return u.name }

// Targets returns the configured target URLs, placeholders unresolved.
func (u *Upstream) Targets() []string { return append([]string(nil), u.raw...) }

// Transport returns the transport requests to the upstream use: the one set
// with [WithTransport], else [DefaultTransport].
func (u *Upstream) Transport() http.RoundTripper {
	if u.transport != nil {
		return u.transport
	}
	return DefaultTransport()
}

// Validate checks that every stage variable the targets use is set in
// stageVars and that each target then resolves to a valid URL. A gateway
// calls it when it deploys a stage, so that a missing variable is a
// deployment error rather than a failed request.
func (u *Upstream) Validate(stageVars map[string]string) error {
	var errs []error
	for _, m := range u.members {
		t := m.t
		if _, err := t.resolve(stageVars); err != nil {
			errs = append(errs, errors.New("proxy: upstream "+strconv.Quote(u.name)+": target "+strconv.Quote(t.raw)+": "+err.Error()))
		}
	}
	return errors.Join(errs...)
}

// Next picks the target for r and returns its URL, with stage variables
// resolved from the request's context. The URL is shared and must not be
// modified. An unresolvable target yields an error wrapping
// [ErrStageVariable]; when every target is unhealthy the error is
// [ErrNoHealthyTarget].
func (u *Upstream) Next(r *http.Request) (*url.URL, error) {
	d, err := u.next(r, reqctx.From(r.Context()))
	if err != nil {
		return nil, err
	}
	return d.url, nil
}

func (u *Upstream) next(_ *http.Request, info *reqctx.Info) (*dest, error) {
	i := u.choose(-1)
	if i < 0 {
		return nil, ErrNoHealthyTarget
	}
	return u.dest(i, info)
}

// hostFor returns the Host header to send for a request to d: "" lets the
// transport use the target's host.
func (u *Upstream) hostFor(in *http.Request) string {
	if u.preserveHost {
		return in.Host
	}
	return u.host
}
