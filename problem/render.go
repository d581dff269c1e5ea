package problem

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"sync"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// ContentType is the media type of problem documents.
const ContentType = "application/problem+json"

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Render writes p to w as application/problem+json. The request ID of r, when
// the request went through a gateway, is added as the "request_id" member so
// clients can quote it. Render sets Cache-Control: no-store so no cache keeps
// an error, and X-Content-Type-Options: nosniff. A problem whose status is
// not a 4xx or 5xx is rendered as [From] renders it: a 500 that does not
// reveal its detail.
func Render(w http.ResponseWriter, r *http.Request, p *Problem) {
	if p == nil {
		p = New(http.StatusInternalServerError, "")
	} else if !errorStatus(p.Status) {
		p = From(p)
	}
	h := w.Header()
	for k, vs := range p.Header {
		h[k] = append([]string(nil), vs...)
	}
	h.Set("Content-Type", ContentType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	h.Del("Content-Encoding")
	h.Del("ETag")
	h.Del("Last-Modified")

	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	encode(buf, r, p)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(p.Status)
	if r == nil || r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

var reserved = map[string]bool{"type": true, "title": true, "status": true, "detail": true, "instance": true}

func encode(buf *bytes.Buffer, r *http.Request, p *Problem) {
	typ := p.Type
	if typ == "" {
		typ = "about:blank"
	}
	buf.WriteString(`{"type":`)
	writeString(buf, typ)
	buf.WriteString(`,"title":`)
	writeString(buf, p.title())
	buf.WriteString(`,"status":`)
	buf.WriteString(strconv.Itoa(p.Status))
	if p.Detail != "" {
		buf.WriteString(`,"detail":`)
		writeString(buf, p.Detail)
	}
	if p.Instance != "" {
		buf.WriteString(`,"instance":`)
		writeString(buf, p.Instance)
	}
	keys := make([]string, 0, len(p.Extensions)+1)
	for k := range p.Extensions {
		if !reserved[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, err := json.Marshal(p.Extensions[k])
		if err != nil {
			continue
		}
		buf.WriteByte(',')
		writeString(buf, k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	if _, ok := p.Extensions["request_id"]; !ok && r != nil {
		if info := reqctx.From(r.Context()); info != nil && info.RequestID != "" {
			buf.WriteString(`,"request_id":`)
			writeString(buf, info.RequestID)
		}
	}
	buf.WriteString("}\n")
}

func writeString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // strings always marshal
	buf.Write(b)
}
