package ratelimit

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gatewaykit/gateway/internal/pathnorm"
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
	// that starts with what precedes it ("/v1/*"). The method GET covers
	// HEAD too, which a gateway answers with the GET route and its
	// upstream. Outside a gateway the cleaned request path stands for the
	// template. The route is known only after routing, so plans that list
	// routes belong on a group or a route, not in gateway-wide middleware.
	// If empty, the plan covers every route.
	Routes []string
	// RouteThrottles are per-key throttles on some of the plan's routes,
	// enforced in addition to Throttle, like the method throttling of
	// Amazon's usage plans.
	RouteThrottles []RouteThrottle
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
	// throttles are the route throttles, in the order given.
	throttles []routeThrottle
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
	for i := range p.RouteThrottles {
		rt, err := compileRouteThrottle(cp, &p.RouteThrottles[i])
		if err != nil {
			errs = append(errs, fmt.Errorf("ratelimit: plan %q: %w", p.Name, err))
		}
		cp.throttles = append(cp.throttles, rt)
	}
	return cp, errors.Join(errs...)
}

// target is what a plan's stages and routes are matched against.
type target struct {
	method, stage, route, name string
}

func targetOf(r *http.Request, info *reqctx.Info) target {
	if info == nil {
		return target{method: r.Method, route: pathnorm.Lexical(r.URL.Path)}
	}
	return target{method: r.Method, stage: info.Stage, route: info.Route, name: info.RouteName}
}

// covers reports whether the plan applies to t.
func (p *compiledPlan) covers(t *target) bool {
	if len(p.stages) > 0 {
		found := false
		for _, s := range p.stages {
			if s == t.stage {
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
		if p.routes[i].match(t.method, t.route, t.name) {
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
	if m.method != "" && m.method != method && (m.method != http.MethodGet || method != http.MethodHead) {
		return false
	}
	if m.prefix {
		return strings.HasPrefix(route, m.pattern) || name != "" && strings.HasPrefix(name, m.pattern)
	}
	return route == m.pattern || name != "" && name == m.pattern
}
