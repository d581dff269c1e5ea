package cache

import (
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// plan is what to do with a response, decided when its header is written.
type plan struct {
	store      bool
	ttl        time.Duration
	initialAge int64
	vary       []string // canonical request header names
	noStale    bool     // must-revalidate: never served once expired
}

// credentialHeaders carry the caller's identity; a response to a request
// with one of them is private unless the route or the response says
// otherwise (RFC 9111, section 3.5). X-Api-Key, where API gateways and
// their upstreams look for API keys, counts too: an upstream that checks
// it may answer for that key alone.
var credentialHeaders = [...]string{"Authorization", "Cookie", "Proxy-Authorization", "X-Api-Key"}

// overrideHeaders can change what an upstream generates for a request
// without being part of the key unless the route names them: the classic
// inputs of cache poisoning. A response to a request carrying one is never
// stored. The forwarding headers among them are keyed, not refused, when a
// trusted proxy sent the request.
var overrideHeaders = [...]string{
	"Forwarded", "X-Forwarded-Host", "X-Forwarded-Path", "X-Forwarded-Port", "X-Forwarded-Prefix",
	"X-Forwarded-Proto", "X-Forwarded-Scheme", "X-Forwarded-Server", "X-Forwarded-Ssl",
	"X-Forwarded-Uri", "X-Host", "X-Http-Host-Override", "X-Http-Method",
	"X-Http-Method-Override", "X-Method-Override", "X-Original-Host", "X-Original-Uri",
	"X-Original-Url", "X-Rewrite-Url",
}

// unkeyedOverride reports whether r carries a header from overrideHeaders
// that is not part of its key.
func (h *handler) unkeyedOverride(r *http.Request, info *reqctx.Info) bool {
	trusted := info != nil && info.PeerTrusted
	for _, name := range overrideHeaders {
		if _, ok := r.Header[name]; !ok || slices.Contains(h.keyer.headers, name) {
			continue
		}
		if !trusted || !slices.Contains(forwardedKeyed[:], name) {
			return true
		}
	}
	// Servers that hand headers to CGI, WSGI or PHP turn '-' into '_', so
	// X_Forwarded_Host may reach the upstream's code as X-Forwarded-Host.
	for name := range r.Header {
		if strings.IndexByte(name, '_') < 0 || slices.Contains(h.keyer.headers, name) {
			continue
		}
		alias := textproto.CanonicalMIMEHeaderKey(strings.ReplaceAll(name, "_", "-"))
		if slices.Contains(overrideHeaders[:], alias) {
			return true
		}
	}
	return false
}

// credentialed reports whether r carries credentials that its key does not
// separate, so that only an explicitly shareable response may be stored.
// Such requests have entries of their own (see keyer.appendKey), so that a
// response stored for an anonymous request never answers a caller who
// presented credentials, and the other way round. A request with an
// authenticated principal counts as carrying credentials even when the
// block that authenticated it removed the header it read (an API key
// header, say): the handler behind the cache may still answer for that
// caller alone.
func (k *keyer) credentialed(r *http.Request) bool {
	if k.perPrincipal || k.shareAuthorized {
		return false
	}
	for _, name := range credentialHeaders {
		if _, ok := r.Header[name]; ok && !slices.Contains(k.headers, name) {
			return true
		}
	}
	return reqctx.PrincipalFrom(r.Context()) != nil
}

// planFor applies the storage rules of RFC 9111 for a shared cache, and the
// route's options, to a response with status and header to request r.
func (hd *handler) planFor(r *http.Request, status int, h http.Header, now time.Time) plan {
	if !hd.cfg.statuses[status] {
		return plan{}
	}
	if _, ok := h["Set-Cookie"]; ok {
		return plan{}
	}
	cc := parseCacheControl(h["Cache-Control"])
	if cc.noStore || cc.private || cc.noCache {
		return plan{}
	}
	if hd.keyer.credentialed(r) && !cc.public && !cc.mustRevalidate && cc.sMaxAge < 0 {
		return plan{}
	}
	vary, ok := varyNames(h["Vary"])
	if !ok {
		return plan{}
	}
	if encoded(h) && !slices.Contains(vary, "Accept-Encoding") {
		// A compressed body chosen by Accept-Encoding, without the Vary
		// that says so, must not reach a client that cannot decode it:
		// vary on it anyway, and tell the clients and caches downstream.
		vary = append(vary, "Accept-Encoding")
		slices.Sort(vary)
		h["Vary"] = append(h["Vary"][:len(h["Vary"]):len(h["Vary"])], "Accept-Encoding")
	}
	p := plan{store: true, ttl: hd.cfg.ttl, vary: vary, noStale: cc.mustRevalidate}
	if a, ok := deltaSeconds(strings.TrimSpace(h.Get("Age"))); ok {
		p.initialAge = a
	}
	if hd.cfg.respectUpstream {
		fresh, limited, valid := upstreamFreshness(cc, h, now)
		if !valid {
			return plan{}
		}
		if limited {
			p.ttl = min(p.ttl, fresh-time.Duration(p.initialAge)*time.Second)
		}
	}
	if p.ttl <= 0 {
		return plan{}
	}
	return p
}

// upstreamFreshness returns the freshness lifetime the response gives
// itself (s-maxage, else max-age, else Expires minus Date), whether it gives
// one, and false for valid when its directives or Expires are malformed.
func upstreamFreshness(cc directives, h http.Header, now time.Time) (fresh time.Duration, limited, valid bool) {
	if cc.invalid {
		return 0, true, false
	}
	switch {
	case cc.sMaxAge >= 0:
		return time.Duration(cc.sMaxAge) * time.Second, true, true
	case cc.maxAge >= 0:
		return time.Duration(cc.maxAge) * time.Second, true, true
	}
	exp, ok := h["Expires"]
	if !ok {
		return 0, false, true
	}
	expires, err := http.ParseTime(firstValue(exp))
	if err != nil {
		return 0, true, false
	}
	date := now
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		date = d
	}
	return expires.Sub(date), true, true
}

func firstValue(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// encoded reports whether h gives the body a content coding other than
// identity.
func encoded(h http.Header) bool {
	for _, v := range h["Content-Encoding"] {
		for tok := range strings.SplitSeq(v, ",") {
			if tok = strings.TrimSpace(tok); tok != "" && !strings.EqualFold(tok, "identity") {
				return true
			}
		}
	}
	return false
}

// varyNames returns the canonical header names listed in Vary fields,
// sorted, and false when one of them is "*" or is not a field name: a
// response that varies on something the cache cannot match is not stored.
func varyNames(values []string) ([]string, bool) {
	var names []string
	for _, v := range values {
		for tok := range strings.SplitSeq(v, ",") {
			tok = strings.TrimSpace(tok)
			switch {
			case tok == "":
				continue
			case tok == "*" || !validName(tok):
				return nil, false
			}
			names = appendUnique(names, textproto.CanonicalMIMEHeaderKey(tok))
		}
	}
	slices.Sort(names)
	return names, true
}

// varyFields records the values r carries for each name.
func varyFields(r *http.Request, names []string) []field {
	if len(names) == 0 {
		return nil
	}
	fs := make([]field, 0, len(names))
	for _, n := range names {
		fs = append(fs, field{name: n, values: slices.Clip(slices.Clone(r.Header[n]))})
	}
	return fs
}
