package gateway

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/gatewaykit/gateway/internal/hdrname"
	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/internal/respwriter"
	"github.com/gatewaykit/gateway/problem"
)

// recoverPanic turns a panic into a 500 (or, when the response had already
// started, an aborted connection) and logs it with its stack.
// http.ErrAbortHandler is re-panicked so net/http aborts quietly.
// info is the request's Info, which r (the request as it entered the
// gateway) does not carry yet.
func (g *Gateway) recoverPanic(rw *respwriter.Writer, r *http.Request, info *reqctx.Info) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	g.cfg.logger.Error("gateway: panic serving request", "request_id", info.RequestID, "route", info.Route,
		"method", r.Method, "panic", v, "stack", string(debug.Stack()))
	info.SetError(problem.TypeDefault5XX)
	r = r.WithContext(reqctx.With(r.Context(), info))
	if rw.Started() {
		panic(http.ErrAbortHandler)
	}
	problem.Error(rw, r, problem.New(http.StatusInternalServerError, "The gateway could not complete the request."))
}

var (
	idPrefix = newIDPrefix()
	idSeq    atomic.Uint64
)

func newIDPrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// requestID returns the request ID as a one-element header value: the
// inbound ID when it is well-formed, or a new one made of a per-process
// random prefix and a counter, unique across instances without a random
// read per request. The same slice is used for the request and response
// headers; it is never appended to in place (len == cap).
func (g *Gateway) requestID(r *http.Request) []string {
	if vs := r.Header[g.cfg.requestIDHeader]; len(vs) == 1 && validRequestID(vs[0]) {
		return vs[:1:1]
	}
	var buf [32]byte
	b := append(buf[:0], idPrefix...)
	b = append(b, '-')
	b = strconv.AppendUint(b, idSeq.Add(1), 36)
	id := []string{string(b)}
	r.Header[g.cfg.requestIDHeader] = id
	return id
}

// validRequestID accepts 1 to 128 characters from a conservative set that
// covers UUIDs, ULIDs and trace IDs and cannot smuggle anything into logs or
// headers.
func validRequestID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '=' || c == '/') {
			return false
		}
	}
	return true
}

var forwardingHeaders = []string{"X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port", "X-Forwarded-Prefix", "Forwarded"}

// sanitize removes spoofable identity and routing headers: the configured
// strip list, every X-Gateway-* header, and, unless the peer is a trusted
// proxy, the forwarding headers. Whatever the peer, it also removes those
// names spelled with underscores for dashes ("X_Real_Ip"), which CGI, WSGI,
// Rack and PHP upstreams cannot tell from the originals.
func (g *Gateway) sanitize(r *http.Request, trusted bool) {
	h := r.Header
	for _, name := range g.cfg.stripHeaders {
		delete(h, name)
	}
	if !trusted {
		for _, name := range forwardingHeaders {
			delete(h, name)
		}
	}
	for name := range h {
		switch {
		case len(name) > 10 && strings.HasPrefix(name, "X-Gateway-"):
			delete(h, name)
		case strings.IndexByte(name, '_') >= 0 && g.underscoreSpoof(name):
			delete(h, name)
		}
	}
}

// underscoreSpoof reports whether name, which has an underscore, reads as
// a header sanitize removes once underscores are taken for dashes.
func (g *Gateway) underscoreSpoof(name string) bool {
	if hdrname.HasPrefix(name, "X-Gateway-") {
		return true
	}
	for _, list := range [...][]string{g.cfg.stripHeaders, forwardingHeaders} {
		for _, s := range list {
			if hdrname.Same(name, s) {
				return true
			}
		}
	}
	return false
}
