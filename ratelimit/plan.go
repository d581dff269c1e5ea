package ratelimit

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// Plan is a usage plan: a throttle and a quota that apply to each key
// assigned to it, on the stages and routes it covers. Amazon API Gateway's
// usage plans are the model.
type Plan struct {
	// Name identifies the plan. It names the plan's policies in the
	// RateLimit headers and separates its state in the store, so it is
	// required: 1 to 64 printable ASCII characters other than '"' and '\'.
	Name string
	// Throttle is each key's token bucket. If zero, keys are not
	// throttled by the plan.
	Throttle Limit
	// Quota caps each key's requests per calendar period. If zero, the
	// plan has no quota. A plan needs a throttle, a quota or both.
	Quota Quota
	// Stages lists the gateway stages the plan covers (a gateway that
	// never deploys serves the stage "$default"). If empty, it covers every
	// stage.
	Stages []string
	// Routes lists the routes the plan covers. Each is a route template
	// ("/v1/orders/:id") or a route name, optionally preceded by a method
	// and a space ("POST /v1/orders"); a trailing '*' matches every route
	// that starts with what precedes it ("/v1/*"). Outside a gateway the
	// request path stands for the template. The route is known only after
	// routing, so plans that list routes belong on a group or a route, not
	// in gateway-wide middleware. If empty, the plan covers every route.
	Routes []string
	// Keys are assigned to the plan when the [Plans] are created.
	Keys []string
}

// compiledPlan is a Plan ready to decide requests.
type compiledPlan struct {
	name   string
	req    Request
	pol    *policy
	stages []string
	routes []routeMatch
}

func compilePlan(set string, p *Plan) (*compiledPlan, error) {
	var errs []error
	if !validName(p.Name) {
		errs = append(errs, fmt.Errorf("ratelimit: invalid plan name %q", p.Name))
	}
	if err := p.Throttle.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := p.Quota.Validate(); err != nil {
		errs = append(errs, err)
	}
	if p.Throttle.IsZero() && p.Quota.IsZero() {
		errs = append(errs, fmt.Errorf("ratelimit: plan %q needs a throttle or a quota", p.Name))
	}
	cp := &compiledPlan{
		name:   p.Name,
		req:    Request{Scope: "plan:" + set + ":" + p.Name, Throttle: p.Throttle, Quota: p.Quota, RecordUsage: true},
		pol:    newPolicy(p.Name, p.Throttle, p.Quota),
		stages: append([]string(nil), p.Stages...),
	}
	for _, s := range p.Routes {
		m, err := parseRouteMatch(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("ratelimit: plan %q: %w", p.Name, err))
		}
		cp.routes = append(cp.routes, m)
	}
	return cp, errors.Join(errs...)
}

// covers reports whether the plan applies to r.
func (p *compiledPlan) covers(r *http.Request, info *reqctx.Info) bool {
	var stage, route, name string
	if info != nil {
		stage, route, name = info.Stage, info.Route, info.RouteName
	} else {
		route = r.URL.Path
	}
	if len(p.stages) > 0 {
		found := false
		for _, s := range p.stages {
			if s == stage {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if len(p.routes) == 0 {
		return true
	}
	for i := range p.routes {
		if p.routes[i].match(r.Method, route, name) {
			return true
		}
	}
	return false
}

// routeMatch is one entry of Plan.Routes.
type routeMatch struct {
	method  string // empty: any
	pattern string
	prefix  bool
}

func parseRouteMatch(s string) (routeMatch, error) {
	var m routeMatch
	rest := s
	if i := strings.IndexByte(s, ' '); i >= 0 {
		m.method, rest = s[:i], strings.TrimSpace(s[i+1:])
		for j := 0; j < len(m.method); j++ {
			if c := m.method[j]; c < 'A' || c > 'Z' {
				return m, fmt.Errorf("route %q: the method must be upper-case letters", s)
			}
		}
	}
	if strings.HasSuffix(rest, "*") {
		m.prefix, rest = true, strings.TrimSuffix(rest, "*")
	}
	if rest == "" && !m.prefix || m.method == "" && strings.IndexByte(s, ' ') >= 0 {
		return m, fmt.Errorf("route %q is empty", s)
	}
	m.pattern = rest
	return m, nil
}

func (m *routeMatch) match(method, route, name string) bool {
	if m.method != "" && m.method != method {
		return false
	}
	if m.prefix {
		return strings.HasPrefix(route, m.pattern) || name != "" && strings.HasPrefix(name, m.pattern)
	}
	return route == m.pattern || name != "" && name == m.pattern
}
