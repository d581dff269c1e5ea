package auth

import (
	"net/http"
	"net/textproto"
	"strings"

	"github.com/gatewaykit/gateway/internal/hdrname"
)

// stripClaimHeaders removes from h every header a client might have sent
// in place of a claim header: the name itself in any letter case, and the
// spellings with underscores for dashes ("X_User_Id" for "X-User-Id"),
// which many upstream frameworks (CGI, WSGI, Rack, PHP) read as the same
// header.
func (a *JWTAuth) stripClaimHeaders(h http.Header) {
	for name := range h {
		if a.isClaimHeader(name) {
			delete(h, name)
		}
	}
}

// protectClaimHeaders removes the claim headers' names from the Connection
// header, so that a client cannot have a proxy after this block drop the
// headers it set as hop-by-hop headers ("Connection: X-User-Id").
func (a *JWTAuth) protectClaimHeaders(h http.Header) {
	vals := h["Connection"]
	for _, v := range vals {
		if a.namesClaimHeader(v) {
			kept := make([]string, 0, len(vals))
			for _, v := range vals {
				if v = a.withoutClaimHeaders(v); v != "" {
					kept = append(kept, v)
				}
			}
			if len(kept) == 0 {
				delete(h, "Connection")
			} else {
				h["Connection"] = kept
			}
			return
		}
	}
}

// namesClaimHeader reports whether the comma-separated list v names a
// claim header.
func (a *JWTAuth) namesClaimHeader(v string) bool {
	for v != "" {
		var tok string
		tok, v, _ = strings.Cut(v, ",")
		if a.isClaimHeader(textproto.TrimString(tok)) {
			return true
		}
	}
	return false
}

// withoutClaimHeaders returns the comma-separated list v without the
// claim headers' names.
func (a *JWTAuth) withoutClaimHeaders(v string) string {
	var kept []string
	for v != "" {
		var tok string
		tok, v, _ = strings.Cut(v, ",")
		if tok = textproto.TrimString(tok); tok != "" && !a.isClaimHeader(tok) {
			kept = append(kept, tok)
		}
	}
	return strings.Join(kept, ", ")
}

func (a *JWTAuth) isClaimHeader(name string) bool {
	for i := range a.headers {
		if hdrname.Same(name, a.headers[i].Header) {
			return true
		}
	}
	return false
}
