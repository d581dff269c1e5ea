package ratelimit

import (
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strconv"

	"github.com/gatewaykit/gateway/internal/clientip"
	"github.com/gatewaykit/gateway/internal/reqctx"
)

// keyFunc identifies the client a request counts against.
type keyFunc struct {
	// fn returns the key, or false when the request does not identify one.
	fn func(*http.Request) (string, bool)
	// principal reports whether fn reads the authenticated principal, in
	// which case an unidentified request is one authentication refused or
	// never saw.
	principal bool
}

// global counts every request against one key: a limit for the whole
// gateway, group or route it is used on.
var global = keyFunc{fn: func(*http.Request) (string, bool) { return "", true }}

// ByAPIKey counts requests per API key: the KeyID of the authenticated
// principal. Requests without a principal, or whose principal did not use
// an API key, pass untouched and create no state; authentication in front
// of the limiter refuses them.
func ByAPIKey() Option {
	return func(c *config) {
		c.setKey(keyFunc{principal: true, fn: func(r *http.Request) (string, bool) {
			if p := reqctx.PrincipalFrom(r.Context()); p != nil && p.KeyID != "" {
				return p.KeyID, true
			}
			return "", false
		}})
	}
}

// ByPrincipal counts requests per authenticated caller: the ID of the
// principal, together with its issuer when it has one, since each issuer
// of tokens names its own subjects and the same subject at two issuers is
// two callers. Requests without a principal pass untouched and create no
// state; authentication in front of the limiter refuses them.
func ByPrincipal() Option {
	return func(c *config) {
		c.setKey(keyFunc{principal: true, fn: func(r *http.Request) (string, bool) {
			p := reqctx.PrincipalFrom(r.Context())
			switch {
			case p == nil || p.ID == "":
				return "", false
			case p.Issuer != "":
				// Length-prefixed, so that no issuer and subject can
				// spell the key of another pair.
				return strconv.Itoa(len(p.Issuer)) + ":" + p.Issuer + p.ID, true
			}
			return p.ID, true
		}})
	}
}

// ByIP counts requests per client address, as resolved by the gateway
// through its trusted proxies (X-Forwarded-For is believed only from them),
// or the TCP peer outside a gateway.
func ByIP() Option {
	return func(c *config) {
		c.setKey(keyFunc{fn: func(r *http.Request) (string, bool) {
			if a := clientip.From(r); a.IsValid() {
				return a.String(), true
			}
			return r.RemoteAddr, true
		}})
	}
}

// ByIPPrefix counts requests per client network: the address, resolved as
// for [ByIP], masked to its first v4 bits for IPv4 and v6 bits for IPv6.
// ByIPPrefix(32, 64) treats an IPv6 /64, which one client usually holds
// whole, as one client.
func ByIPPrefix(v4, v6 int) Option {
	return func(c *config) {
		if v4 < 0 || v4 > 32 || v6 < 0 || v6 > 128 {
			c.errs = append(c.errs, fmt.Errorf("ratelimit: ByIPPrefix(%d, %d): the lengths must be within 0..32 and 0..128", v4, v6))
			return
		}
		c.setKey(keyFunc{fn: func(r *http.Request) (string, bool) {
			a := clientip.From(r)
			if !a.IsValid() {
				return r.RemoteAddr, true
			}
			bits := v6
			if a.Is4() {
				bits = v4
			}
			p, _ := a.Prefix(bits)
			return p.String(), true
		}})
	}
}

// ByHeader counts requests per value of the named request header. A
// [Limiter] lets requests without the header pass untouched; [Plans]
// refuse them.
func ByHeader(name string) Option {
	return func(c *config) {
		if name == "" {
			c.errs = append(c.errs, errors.New("ratelimit: ByHeader needs a header name"))
			return
		}
		name = textproto.CanonicalMIMEHeaderKey(name)
		c.setKey(keyFunc{fn: func(r *http.Request) (string, bool) {
			if v := r.Header[name]; len(v) > 0 && v[0] != "" {
				return v[0], true
			}
			return "", false
		}})
	}
}

// ByFunc counts requests per key returned by fn. When fn returns false, a
// [Limiter] lets the request pass untouched and [Plans] refuse it.
func ByFunc(fn func(*http.Request) (key string, ok bool)) Option {
	return func(c *config) {
		if fn == nil {
			c.errs = append(c.errs, errors.New("ratelimit: ByFunc needs a function"))
			return
		}
		c.setKey(keyFunc{fn: fn})
	}
}
