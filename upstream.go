package gateway

import (
	"fmt"

	"github.com/gatewaykit/gateway/proxy"
)

// Upstream is a named backend: one or more base URLs that requests are
// spread over. It is declared with [Gateway.Upstream] (or built with
// proxy.NewUpstream and added with [Gateway.AddUpstream]) and used by
// [Route.Proxy] and by blocks that call backends themselves.
type Upstream = proxy.Upstream

// Upstream declares a named upstream with the given target base URLs, e.g.
// gw.Upstream("users", "http://10.0.0.5:8080", "http://10.0.0.6:8080").
// Targets may use stage variables: "http://${stageVariables.usersHost}:8080".
// For options (the Host header sent upstream, a transport), build the
// upstream with proxy.NewUpstream and pass it to [Gateway.AddUpstream].
//
// Mistakes (no target, a malformed URL, a name used twice) are recorded and
// returned by [Gateway.Deploy] and [Gateway.Build]; the returned value is
// then nil, and routes proxying to it report that too.
func (g *Gateway) Upstream(name string, targets ...string) *Upstream {
	u, err := proxy.NewUpstream(name, targets)
	if err != nil {
		g.record(fmt.Errorf("gateway: %w", err))
		return nil
	}
	return g.AddUpstream(u)
}

// AddUpstream registers an upstream built with proxy.NewUpstream and returns
// it. A nil upstream or a name used twice is recorded as an error. The
// upstream (even one refused for its name) is closed with the gateway
// ([Gateway.Close]), which stops its active health checks.
func (g *Gateway) AddUpstream(u *Upstream) *Upstream {
	if u == nil {
		g.record(fmt.Errorf("gateway: AddUpstream(nil)"))
		return nil
	}
	g.mu.Lock()
	if _, dup := g.upstreams[u.Name()]; dup {
		g.errs = append(g.errs, fmt.Errorf("gateway: upstream %q declared twice", u.Name()))
		g.mu.Unlock()
		g.OnClose(u.Close)
		return nil
	}
	g.upstreams[u.Name()] = u
	g.mu.Unlock()
	g.OnClose(u.Close)
	return u
}

func (g *Gateway) record(err error) {
	g.mu.Lock()
	g.errs = append(g.errs, err)
	g.mu.Unlock()
}
