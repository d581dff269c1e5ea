// Package ippolicy allows or denies requests by the client's IP address,
// the way a resource policy with source-IP conditions does: lists of CIDR
// prefixes (or single addresses) to allow and to deny.
//
// # Decision
//
// A request is denied when its client address is in a deny prefix. When
// the policy has allow prefixes, a request is also denied unless its
// address is in one of them. Deny wins over allow, so a broad allow with a
// narrow hole reads naturally:
//
//	p, err := ippolicy.New(
//		ippolicy.Allow("10.0.0.0/8", "2001:db8::/32"),
//		ippolicy.Deny("10.66.0.0/16"),
//	)
//
// A denied request gets 403 problem+json wrapping [ErrDenied], and its error
// type is recorded as ACCESS_DENIED. A request whose client address cannot
// be determined is denied. IPv4-mapped IPv6 addresses and prefixes
// (::ffff:10.0.0.1) are treated as the IPv4 addresses they carry.
//
// # Client address
//
// The client address is the one the gateway resolved through its trusted
// proxies (gateway.TrustedProxies): X-Forwarded-For is believed only when
// the TCP peer is such a proxy. Outside a gateway, the TCP peer address
// (RemoteAddr) is used. The policy never reads forwarding headers itself,
// so a client cannot talk its way past it.
//
// In a gateway, put a policy for everything on Gateway.Use, or on a group or
// route for part of the API.
package ippolicy
