// Package clientip resolves a request's client address. The address is the
// TCP peer (RemoteAddr) unless the peer is a trusted proxy, in which case
// X-Forwarded-For is walked from the right, skipping trusted proxies, and the
// first untrusted address is the client. Alternatively the number of proxies
// in front of the gateway is known (a hop count) and the client is the
// address the farthest of them recorded. Every block that needs the client's
// address (rate limits, IP policies, logs) resolves it through here.
package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// Resolver resolves client addresses. The zero value trusts no proxy.
type Resolver struct {
	trusted []netip.Prefix
	hops    int
}

// NewHops returns a Resolver for a gateway behind exactly hops proxies
// (load balancers) that each append the address they received the request
// from to X-Forwarded-For. The TCP peer is taken to be the nearest of them,
// and the client is the hops-th address from the right: entries further left
// were sent by the client and are ignored.
func NewHops(hops int) (*Resolver, error) {
	if hops < 1 || hops > 32 {
		return nil, fmt.Errorf("clientip: proxy hop count %d out of range 1..32", hops)
	}
	return &Resolver{hops: hops}, nil
}

// New returns a Resolver that trusts the given proxies, each an IP address or
// a CIDR prefix ("10.0.0.0/8", "::1").
func New(trusted ...string) (*Resolver, error) {
	r := &Resolver{}
	for _, s := range trusted {
		s = strings.TrimSpace(s)
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("clientip: trusted proxy %q: %w", s, err)
			}
			if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
				// Peers are compared unmapped: "::ffff:10.0.0.0/104" is 10.0.0.0/8.
				p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
			}
			r.trusted = append(r.trusted, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("clientip: trusted proxy %q: %w", s, err)
		}
		a = a.Unmap()
		r.trusted = append(r.trusted, netip.PrefixFrom(a, a.BitLen()))
	}
	return r, nil
}

// Trusts reports whether a is a trusted proxy.
func (r *Resolver) Trusts(a netip.Addr) bool {
	if r == nil || !a.IsValid() {
		return false
	}
	if r.hops > 0 {
		return true
	}
	a = a.Unmap()
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Resolve returns the client address of req and whether the direct peer is a
// trusted proxy. An unparsable RemoteAddr yields the zero Addr.
func (r *Resolver) Resolve(req *http.Request) (client netip.Addr, peerTrusted bool) {
	peer := Peer(req)
	if !r.Trusts(peer) {
		return peer, false
	}
	if r.hops > 0 {
		// The hops-th entry from the right was written by the farthest proxy.
		return walkForwarded(req, peer, func(_ netip.Addr, n int) bool { return n == r.hops }), true
	}
	// The first entry from the right not written by a trusted proxy.
	return walkForwarded(req, peer, func(a netip.Addr, _ int) bool { return !r.Trusts(a) }), true
}

// walkForwarded visits the X-Forwarded-For addresses of req from the right
// (the nearest proxy's entry first), calling stop with each and its 1-based
// position, and returns the last address visited: the one stop accepted,
// the one before a malformed entry (everything to its left was written by
// someone we cannot vouch for), or the leftmost. With no entry it returns
// peer.
func walkForwarded(req *http.Request, peer netip.Addr, stop func(a netip.Addr, n int) bool) netip.Addr {
	client, n := peer, 0
	values := req.Header.Values("X-Forwarded-For")
	for i := len(values) - 1; i >= 0; i-- {
		v := values[i]
		for v != "" {
			j := strings.LastIndexByte(v, ',')
			part := strings.TrimSpace(v[j+1:])
			if j < 0 {
				v = ""
			} else {
				v = v[:j]
			}
			a, ok := parseEntry(part)
			if !ok {
				return client
			}
			client = a.Unmap()
			if n++; stop(client, n) {
				return client
			}
		}
	}
	return client
}

// parseEntry parses one X-Forwarded-For entry: an address, possibly with a
// port ("203.0.113.7:5123", "[2001:db8::7]:5123", as some load balancers
// write it) or bracketed ("[2001:db8::7]").
func parseEntry(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a, true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr(), true
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Is6() {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// Peer returns the address of the TCP peer of req, or the zero Addr.
func Peer(req *http.Request) netip.Addr {
	if ap, err := netip.ParseAddrPort(req.RemoteAddr); err == nil {
		return ap.Addr().Unmap()
	}
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		host = req.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// From returns the client address the gateway resolved for req, or the TCP
// peer when the request did not go through a gateway.
func From(req *http.Request) netip.Addr {
	if info := reqctx.From(req.Context()); info != nil && info.ClientIP.IsValid() {
		return info.ClientIP
	}
	return Peer(req)
}
