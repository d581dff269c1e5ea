package proxy

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/gatewaykit/gateway/internal/hdrname"
	"github.com/gatewaykit/gateway/internal/reqctx"
)

// Canonical names of the headers a proxy sets.
const (
	headerXFF       = "X-Forwarded-For"
	headerXFHost    = "X-Forwarded-Host"
	headerXFProto   = "X-Forwarded-Proto"
	headerForwarded = "Forwarded"
	headerRequestID = "X-Request-Id"
)

// spoofable lists further forwarding headers that only a trusted proxy may
// set; ReverseProxy already drops Forwarded and X-Forwarded-For/Host/Proto.
var spoofable = [...]string{"X-Forwarded-Port", "X-Forwarded-Prefix", "X-Forwarded-Server", "X-Forwarded-Ssl", "X-Real-Ip"}

// setForwarding sets the forwarding headers of out, a copy of in's headers
// from which ReverseProxy removed the hop-by-hop and forwarding headers, and
// removes their spellings with underscores for dashes.
//
// The peer (the TCP client of this hop) is appended to the chain the inbound
// request carried when the peer is a trusted proxy, and is the whole chain
// otherwise; X-Forwarded-Host and X-Forwarded-Proto are kept from a trusted
// peer and describe this hop otherwise. Outside a gateway nothing is trusted.
func setForwarding(in *http.Request, out http.Header, info *reqctx.Info) {
	trusted := info != nil && info.PeerTrusted
	peer := peerHost(in.RemoteAddr)
	proto := "http"
	if in.TLS != nil {
		proto = "https"
	}
	// One backing array for every value slice this function sets.
	vals := make([]string, 5)
	var stack [192]byte

	xff := peer
	if prior := in.Header[headerXFF]; trusted && len(prior) > 0 {
		b := stack[:0]
		for i, v := range prior {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(b, v...)
		}
		if peer != "" {
			b = append(b, ", "...)
			b = append(b, peer...)
		}
		xff = string(b)
	}
	if xff != "" {
		vals[0] = xff
		out[headerXFF] = vals[0:1:1]
	}

	host, fproto := in.Host, proto
	if trusted {
		if v := in.Header[headerXFHost]; len(v) > 0 {
			host = v[0]
		}
		if v := in.Header[headerXFProto]; len(v) > 0 {
			fproto = v[0]
		}
	}
	if host != "" {
		vals[1] = host
		out[headerXFHost] = vals[1:2:2]
	}
	vals[2] = fproto
	out[headerXFProto] = vals[2:3:3]

	b := stack[:0]
	if trusted {
		for _, v := range in.Header[headerForwarded] {
			b = append(b, v...)
			b = append(b, ", "...)
		}
	}
	b = appendForwarded(b, peer, in.Host, proto)
	vals[3] = string(b)
	out[headerForwarded] = vals[3:4:4]

	if info != nil && info.RequestID != "" {
		vals[4] = info.RequestID
		out[requestIDHeader(info)] = vals[4:5:5]
	}
	if !trusted {
		for _, k := range spoofable {
			delete(out, k)
		}
	}
	for k := range out {
		if strings.IndexByte(k, '_') >= 0 && isForwardingName(k) {
			delete(out, k)
		}
	}
}

// requestIDHeader returns the name of the header carrying the request ID
// of a request the gateway serves.
func requestIDHeader(info *reqctx.Info) string {
	if info.RequestIDHeader != "" {
		return info.RequestIDHeader
	}
	return headerRequestID
}

// dropUpstreamRequestID removes the request ID header from an upstream's
// response to a request the gateway serves: the gateway has already set
// its own on the response, and a copy echoed by the upstream (or the
// upstream's own ID) would give the client two.
func dropUpstreamRequestID(res *http.Response, info *reqctx.Info) {
	if res != nil && info != nil && info.RequestID != "" {
		delete(res.Header, requestIDHeader(info))
	}
}

// forwardingNames are the headers isForwardingName recognises.
var forwardingNames = append([]string{headerXFF, headerXFHost, headerXFProto, headerForwarded, headerRequestID}, spoofable[:]...)

// isForwardingName reports whether name spells a forwarding header (or the
// request ID) with underscores for dashes, as "X_Forwarded_For": CGI, WSGI
// and Rack servers read both spellings as the same variable, so such a
// field could stand in for the one the proxy sets.
func isForwardingName(name string) bool {
	for _, f := range forwardingNames {
		if hdrname.Same(name, f) {
			return true
		}
	}
	return false
}

// appendForwarded appends one RFC 7239 forwarded-element describing this hop.
func appendForwarded(b []byte, peer, host, proto string) []byte {
	b = append(b, "for="...)
	switch {
	case peer == "":
		b = append(b, "unknown"...)
	case strings.IndexByte(peer, ':') >= 0:
		b = append(b, `"[`...)
		b = append(b, peer...)
		b = append(b, `]"`...)
	default:
		b = append(b, peer...)
	}
	if host != "" {
		b = append(b, ";host="...)
		b = appendForwardedValue(b, host)
	}
	b = append(b, ";proto="...)
	return append(b, proto...)
}

// appendForwardedValue appends s as an RFC 7239 value: a token when it is
// one, a quoted-string otherwise. Control characters are dropped.
func appendForwardedValue(b []byte, s string) []byte {
	token := true
	for i := 0; i < len(s) && token; i++ {
		token = isTokenChar(s[i])
	}
	if token {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < ' ' && c != '\t' || c == 0x7f:
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// isTokenChar reports whether c is an RFC 9110 tchar.
func isTokenChar(c byte) bool { return tokenChars[c] }

var tokenChars = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", byte(c)) >= 0
	}
	return t
}()

// peerHost returns the address part of a RemoteAddr ("192.0.2.1:5678",
// "[2001:db8::1]:5678") without allocating, IPv4-mapped IPv6 addresses in
// their IPv4 form, or "" when remote is not an IP address and port.
func peerHost(remote string) string {
	var h string
	switch {
	case remote == "":
		return ""
	case remote[0] == '[':
		end := strings.IndexByte(remote, ']')
		if end < 0 {
			return ""
		}
		h = remote[1:end]
		if v4 := strings.TrimPrefix(h, "::ffff:"); len(v4) < len(h) && strings.IndexByte(v4, ':') < 0 {
			h = v4
		}
	default:
		i := strings.LastIndexByte(remote, ':')
		if i < 0 || strings.IndexByte(remote[:i], ':') >= 0 {
			h = remote // no port, or a bare IPv6 address
		} else {
			h = remote[:i]
		}
	}
	if _, err := netip.ParseAddr(h); err != nil {
		return ""
	}
	return h
}
