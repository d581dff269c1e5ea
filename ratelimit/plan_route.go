package ratelimit

import (
	"errors"
	"fmt"
	"strconv"
)

// RouteThrottle is a per-key throttle a [Plan] applies to some of its
// routes, in addition to the plan's own throttle: a request must pass
// both. Like stacked limiters, a request the route throttle admits and
// the plan then refuses has still used its route token.
type RouteThrottle struct {
	// Route selects the routes, written as an entry of Plan.Routes; the
	// routes it matches share one bucket per key.
	Route string
	// Throttle is each key's token bucket on those routes. Required.
	Throttle Limit
}

// routeThrottle is a RouteThrottle ready to decide requests.
type routeThrottle struct {
	m   routeMatch
	req Request
	pol *policy
}

// compileRouteThrottle compiles the throttle rt of plan cp. Its policy is
// named after the plan and the throttle's position ("gold-route-1") in the
// RateLimit headers, and its state has a scope of its own.
func compileRouteThrottle(cp *compiledPlan, rt *RouteThrottle) (routeThrottle, error) {
	name := cp.name + "-route-" + strconv.Itoa(len(cp.throttles)+1)
	out := routeThrottle{
		req: Request{Scope: cp.req.Scope + ":" + rt.Route, Throttle: rt.Throttle},
		pol: newPolicy(name, rt.Throttle, Quota{}),
	}
	var errs []error
	m, err := parseRouteMatch(rt.Route)
	if err != nil {
		errs = append(errs, err)
	}
	out.m = m
	if rt.Throttle.IsZero() {
		errs = append(errs, fmt.Errorf("route throttle %q needs a throttle", rt.Route))
	} else if err := rt.Throttle.Validate(); err != nil {
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}
