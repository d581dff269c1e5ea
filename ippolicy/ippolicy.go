package ippolicy

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/gatewaykit/gateway/internal/clientip"
	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

// ErrDenied is the cause of the 403 answer to a request the policy denies.
var ErrDenied = errors.New("ippolicy: client address denied")

// Option configures a [Policy].
type Option func(*config)

type config struct {
	allow, deny  []string
	errorHandler func(http.ResponseWriter, *http.Request, error)
}

// Allow adds prefixes ("10.0.0.0/8") or addresses ("192.0.2.7") to the
// allow list. With a non-empty allow list, every other address is denied.
func Allow(cidrs ...string) Option {
	return func(c *config) { c.allow = append(c.allow, cidrs...) }
}

// Deny adds prefixes or addresses to the deny list. Deny wins over allow.
func Deny(cidrs ...string) Option {
	return func(c *config) { c.deny = append(c.deny, cidrs...) }
}

// ErrorHandler renders denials. If nil, the default is problem.Error, which
// honours the gateway's error handler.
func ErrorHandler(h func(http.ResponseWriter, *http.Request, error)) Option {
	return func(c *config) { c.errorHandler = h }
}

// Policy is a compiled IP policy. It is safe for concurrent use.
type Policy struct {
	allow, deny  prefixSet
	errorHandler func(http.ResponseWriter, *http.Request, error)
}

// New compiles a policy. It returns every malformed prefix at once, and an
// error when both lists are empty.
func New(opts ...Option) (*Policy, error) {
	cfg := config{}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	var errs []error
	allow, err := parsePrefixes(cfg.allow)
	errs = append(errs, err)
	deny, err := parsePrefixes(cfg.deny)
	errs = append(errs, err)
	if len(cfg.allow) == 0 && len(cfg.deny) == 0 {
		errs = append(errs, errors.New("ippolicy: no prefix to allow or deny"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	p := &Policy{allow: allow, deny: deny, errorHandler: cfg.errorHandler}
	if p.errorHandler == nil {
		p.errorHandler = problem.Error
	}
	return p, nil
}

// Allows reports whether the policy lets addr through.
func (p *Policy) Allows(addr netip.Addr) bool {
	if !addr.IsValid() {
		return false
	}
	addr = addr.Unmap()
	if p.deny.contains(addr) {
		return false
	}
	return p.allow.empty() || p.allow.contains(addr)
}

// Middleware returns p as a middleware: p.Handler.
func (p *Policy) Middleware() func(http.Handler) http.Handler { return p.Handler }

// Handler returns a handler that answers 403 to requests from denied
// addresses and passes the others to next.
func (p *Policy) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.Allows(clientip.From(r)) {
			next.ServeHTTP(w, r)
			return
		}
		reqctx.From(r.Context()).SetError("ACCESS_DENIED")
		p.errorHandler(w, r, problem.Wrap(ErrDenied, http.StatusForbidden, "Access from this address is not allowed."))
	})
}

// parsePrefixes parses addresses and prefixes, unmapping IPv4-mapped ones.
func parsePrefixes(list []string) (prefixSet, error) {
	var ps []netip.Prefix
	var errs []error
	for _, s := range list {
		s = strings.TrimSpace(s)
		var pfx netip.Prefix
		var err error
		if strings.Contains(s, "/") {
			pfx, err = netip.ParsePrefix(s)
		} else {
			var a netip.Addr
			if a, err = netip.ParseAddr(s); err == nil {
				if a.Zone() != "" {
					errs = append(errs, fmt.Errorf("ippolicy: %q: zones are not supported", s))
					continue
				}
				pfx = netip.PrefixFrom(a, a.BitLen())
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("ippolicy: %q is neither an IP address nor a CIDR prefix", s))
			continue
		}
		ps = append(ps, unmapPrefix(pfx.Masked()))
	}
	return newPrefixSet(ps), errors.Join(errs...)
}

// unmapPrefix turns ::ffff:a.b.c.d/n (n >= 96) into a.b.c.d/(n-96).
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96).Masked()
	}
	return p
}
