package cache

import (
	"crypto/sha256"
	"encoding/binary"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// forwardedKeyed are the forwarding headers that become part of the key when
// the request came through a trusted proxy, because the proxy block then
// passes them upstream.
var forwardedKeyed = [...]string{
	"Forwarded", "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Prefix",
	"X-Forwarded-Proto", "X-Forwarded-Server", "X-Forwarded-Ssl",
}

// keyer builds cache keys. A key is laid out as
//
//	METHOD " " escaped-path NUL shape scheme host stage credentials
//	[forwarded] query headers [principal]
//
// so that every entry of one path shares the prefix METHOD " " path NUL. The
// escaped path never contains NUL or a space. shape is a digest of the key
// configuration, so routes keyed differently never read each other's
// entries from a shared store. The stage (and whether the request went to
// the stage's canary) keeps stages apart, as each deployment may answer
// differently. The credentials byte keeps requests that carry credentials
// the key does not separate apart from anonymous ones. Every variable part
// is length-prefixed or one of a fixed set of bytes, and the parts present
// are fixed by the configuration and by those bytes, so distinct requests
// cannot produce the same key.
type keyer struct {
	shape           [8]byte
	query           []string // sorted
	headers         []string // canonical, sorted
	perPrincipal    bool
	shareAuthorized bool
}

func newKeyer(c *config) *keyer {
	k := &keyer{
		query:           slices.Sorted(slices.Values(c.query)),
		headers:         slices.Sorted(slices.Values(c.headers)),
		perPrincipal:    c.perPrincipal,
		shareAuthorized: c.shareAuthorized,
	}
	h := sha256.New()
	for _, q := range k.query {
		h.Write(binary.AppendUvarint([]byte{'q'}, uint64(len(q))))
		h.Write([]byte(q))
	}
	for _, n := range k.headers {
		h.Write(binary.AppendUvarint([]byte{'h'}, uint64(len(n))))
		h.Write([]byte(n))
	}
	if k.perPrincipal {
		h.Write([]byte{'p'})
	}
	if k.shareAuthorized {
		h.Write([]byte{'s'})
	}
	copy(k.shape[:], h.Sum(nil))
	return k
}

// pathPrefix returns the prefix shared by every key of method and the
// escaped path.
func pathPrefix(method, escaped string) string {
	if method == http.MethodHead {
		method = http.MethodGet
	}
	return method + " " + escaped + "\x00"
}

// appendKey appends the key of r, with info from its context (nil outside a
// gateway), to dst. It reports false when r cannot be keyed: its query is
// malformed, or the route is per principal and r has none. HEAD requests
// share the key of GET.
func (k *keyer) appendKey(dst []byte, r *http.Request, info *reqctx.Info) ([]byte, bool) {
	return k.appendKeyAs(dst, r, info, k.credentialed(r))
}

// appendKeyAs is appendKey with the credentials part given: with
// credentialed false it returns the key r would have without the
// credentials its key does not separate.
func (k *keyer) appendKeyAs(dst []byte, r *http.Request, info *reqctx.Info, credentialed bool) ([]byte, bool) {
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	dst = append(dst, method...)
	dst = append(dst, ' ')
	dst = append(dst, r.URL.EscapedPath()...)
	dst = append(dst, 0)
	dst = append(dst, k.shape[:]...)
	if r.TLS != nil {
		dst = append(dst, 's')
	} else {
		dst = append(dst, 'p')
	}
	dst = appendString(dst, r.Host)
	switch {
	case info == nil:
		dst = append(dst, '-')
	case info.Canary:
		dst = append(dst, 'c')
		dst = appendString(dst, info.Stage)
	default:
		dst = append(dst, 's')
		dst = appendString(dst, info.Stage)
	}
	if credentialed {
		dst = append(dst, 'c')
	} else {
		dst = append(dst, 'a')
	}
	if info != nil && info.PeerTrusted {
		dst = append(dst, 't')
		for _, name := range forwardedKeyed {
			dst = appendValues(dst, r.Header[name])
		}
	} else {
		dst = append(dst, 'u')
	}
	for _, name := range k.query {
		var ok bool
		if dst, ok = appendQueryValues(dst, r.URL.RawQuery, name); !ok {
			return dst, false
		}
	}
	for _, name := range k.headers {
		dst = appendValues(dst, r.Header[name])
	}
	if k.perPrincipal {
		p := reqctx.PrincipalFrom(r.Context())
		if p == nil || p.ID == "" {
			return dst, false
		}
		dst = appendString(dst, p.Issuer)
		dst = appendString(dst, p.ID)
	}
	return dst, true
}

// appendValues appends each value as 1, length, bytes, and then a 0.
func appendValues(dst []byte, values []string) []byte {
	for _, v := range values {
		dst = append(dst, 1)
		dst = appendString(dst, v)
	}
	return append(dst, 0)
}

// appendQueryValues appends, like appendValues, the decoded values of the
// query parameter name in raw, in their order. It reports false when raw has
// a malformed escape.
func appendQueryValues(dst []byte, raw, name string) ([]byte, bool) {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		n, v, ok := decodePair(pair)
		if !ok {
			return dst, false
		}
		if n == name && pair != "" {
			dst = append(dst, 1)
			dst = appendString(dst, v)
		}
	}
	return append(dst, 0), true
}

// decodePair splits and unescapes one name=value pair of a query.
func decodePair(pair string) (name, value string, ok bool) {
	n, v, _ := strings.Cut(pair, "=")
	name, err1 := url.QueryUnescape(n)
	value, err2 := url.QueryUnescape(v)
	return name, value, err1 == nil && err2 == nil
}

// upstreamQuery returns the query to send upstream for raw: only the keyed
// parameters, in their order, each re-encoded so that the upstream parses
// exactly the names and values that were keyed.
func (k *keyer) upstreamQuery(raw string) string {
	var b strings.Builder
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		n, v, ok := decodePair(pair)
		if !ok || pair == "" || !slices.Contains(k.query, n) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(n))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	return b.String()
}
