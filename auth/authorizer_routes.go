package auth

import (
	"fmt"
	"strings"
)

// routeSet is the compiled Routes of a [Decision].
type routeSet []routePattern

type routePattern struct {
	method string // "" for any method
	path   string // a route template, or a prefix when prefix is set
	prefix bool
	any    bool
}

// compileRoutes parses "*", "/template", "METHOD /template" and
// "[METHOD ]/prefix/*" entries.
func compileRoutes(list []string) (routeSet, error) {
	rs := make(routeSet, 0, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "*" {
			rs = append(rs, routePattern{any: true})
			continue
		}
		var p routePattern
		if m, rest, ok := strings.Cut(s, " "); ok {
			p.method, s = strings.ToUpper(m), strings.TrimSpace(rest)
		}
		if s == "" || s[0] != '/' {
			return nil, fmt.Errorf("auth: decision route %q must be \"*\", \"/path\" or \"METHOD /path\"", s)
		}
		if rest, ok := strings.CutSuffix(s, "/*"); ok {
			p.prefix, s = true, rest+"/"
		}
		p.path = s
		rs = append(rs, p)
	}
	return rs, nil
}

// allows reports whether the set admits method on route (a route
// template, or a path outside a gateway).
func (rs routeSet) allows(method, route string) bool {
	for _, p := range rs {
		switch {
		case p.any:
			return true
		case p.method != "" && p.method != method && !(method == "HEAD" && p.method == "GET"):
		case p.prefix && strings.HasPrefix(route, p.path):
			return true
		case !p.prefix && p.path == route:
			return true
		}
	}
	return false
}
