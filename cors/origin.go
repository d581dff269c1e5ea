package cors

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// originSet is the compiled list of allowed origins.
type originSet struct {
	any      bool
	exact    map[string]struct{}
	patterns []pattern
}

// pattern is a wildcard-subdomain origin such as "https://*.example.com:8443":
// prefix "https://", suffix ".example.com", port ":8443".
type pattern struct {
	prefix, suffix, port string
}

func compileOrigins(list []string) (originSet, error) {
	s := originSet{exact: make(map[string]struct{}, len(list))}
	var errs []error
	for _, o := range list {
		exact, p, err := parseOrigin(o)
		switch {
		case err != nil:
			errs = append(errs, err)
		case o == "*":
			s.any = true
		case p != nil:
			s.patterns = append(s.patterns, *p)
		default:
			s.exact[exact] = struct{}{}
		}
	}
	return s, errors.Join(errs...)
}

// parseOrigin parses an allowed origin: "*", an exact origin (returned in
// its canonical form) or a wildcard-subdomain pattern.
func parseOrigin(o string) (exact string, p *pattern, err error) {
	if o == "*" {
		return "", nil, nil
	}
	bad := func(why string) error { return fmt.Errorf("cors: origin %q: %s", o, why) }
	if o == "null" {
		return "", nil, bad(`"null" is shared by sandboxed frames and local files and cannot be trusted`)
	}
	scheme, rest, ok := strings.Cut(o, "://")
	if !ok || !validScheme(scheme) {
		return "", nil, bad("must be scheme://host[:port]")
	}
	scheme = strings.ToLower(scheme)
	if strings.ContainsAny(rest, "/?#@ \t") {
		return "", nil, bad("must not contain a path, query, fragment, user or spaces (an origin is scheme://host[:port])")
	}
	host, port := rest, ""
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.HasSuffix(rest, "]") {
		host, port = rest[:i], rest[i+1:]
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return "", nil, bad("invalid port")
		}
		if scheme == "https" && port == "443" || scheme == "http" && port == "80" {
			port = "" // browsers omit the default port
		}
	}
	host = strings.ToLower(host)
	if port != "" {
		port = ":" + port
	}
	if wild, ok := strings.CutPrefix(host, "*."); ok {
		if !validHost(wild) || !strings.Contains(wild, ".") {
			return "", nil, bad("a wildcard must be followed by a domain with at least two labels, as in https://*.example.com")
		}
		return "", &pattern{prefix: scheme + "://", suffix: "." + wild, port: port}, nil
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") && len(host) > 2 {
		if strings.Trim(host[1:len(host)-1], "0123456789abcdef:.") != "" {
			return "", nil, bad("invalid IPv6 address")
		}
	} else if !validHost(host) {
		return "", nil, bad("invalid host (a wildcard may only be the leftmost label, as in https://*.example.com)")
	}
	return scheme + "://" + host + port, nil, nil
}

func validScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// validHost reports whether h is a lower-case DNS name or IPv4 address:
// labels of letters, digits and hyphens separated by single dots.
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	label := 0
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
		case 'a' <= c && c <= 'z' || isDigit(c) || c == '-' || c == '_':
			label++
			if label > 63 {
				return false
			}
		default:
			return false
		}
	}
	return label > 0
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// allowed reports whether the Origin header value o is allowed. It does not
// allocate.
func (s *originSet) allowed(o string) bool {
	if o == "" {
		return false
	}
	if s.any {
		return true
	}
	if _, ok := s.exact[o]; ok {
		return true
	}
	for i := range s.patterns {
		if s.patterns[i].match(o) {
			return true
		}
	}
	return false
}

func (p *pattern) match(o string) bool {
	rest, ok := strings.CutPrefix(o, p.prefix)
	if !ok {
		return false
	}
	if p.port != "" {
		if rest, ok = strings.CutSuffix(rest, p.port); !ok {
			return false
		}
	}
	sub, ok := strings.CutSuffix(rest, p.suffix)
	// sub is the part the wildcard covers: one or more whole labels.
	return ok && validHost(sub)
}
