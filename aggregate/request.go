package aggregate

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/internal/urlesc"
)

// bodyHeaders are the client's headers that say how to read its body,
// sent along with it by a leg that forwards it.
var bodyHeaders = [...]string{"Content-Type", "Content-Encoding"}

// request builds the leg's upstream request: its escaped path and query
// (target scheme, host and base path are added by send) and its headers.
func (a *Aggregate) request(ctx context.Context, r *http.Request, info *reqctx.Info, ru *run, l *leg, rs *result) (*http.Request, failure) {
	buf := rs.scratch[:0]
	buf, f := expand(buf, l.tmpl.path, true, r, info, ru)
	if f.reason != "" {
		return nil, f
	}
	pathEnd := len(buf)
	buf, f = expand(buf, l.tmpl.query, false, r, info, ru)
	if f.reason != "" {
		return nil, f
	}
	buf = appendClientQuery(buf, pathEnd, l, r.URL.RawQuery)
	rs.scratch = buf

	req, err := http.NewRequestWithContext(ctx, l.method, "", nil)
	if err != nil {
		return nil, failure{reason: "invalid request", status: http.StatusInternalServerError}
	}
	u := req.URL
	esc := string(buf[:pathEnd])
	u.Path = esc
	if strings.IndexByte(esc, '%') >= 0 {
		if u.Path, err = url.PathUnescape(esc); err != nil {
			return nil, failure{reason: "invalid path", status: http.StatusBadGateway}
		}
		u.RawPath = esc
	}
	if len(buf) > pathEnd {
		u.RawQuery = string(buf[pathEnd:])
	}
	h := req.Header
	h["Accept"] = acceptJSON
	if info != nil && info.RequestID != "" {
		if vs := r.Header["X-Request-Id"]; len(vs) == 1 && vs[0] == info.RequestID {
			h["X-Request-Id"] = vs // the gateway's own slice, never appended to
		} else {
			h["X-Request-Id"] = []string{info.RequestID}
		}
	}
	for _, k := range l.passHeaders {
		if vs := r.Header[k]; len(vs) > 0 {
			h[k] = vs
		}
	}
	for k, vs := range l.setHeaders {
		h[k] = vs
	}
	if l.body && len(ru.body) > 0 {
		body := ru.body
		req.ContentLength = int64(len(body))
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		for _, k := range bodyHeaders {
			if vs := r.Header[k]; len(vs) > 0 {
				h[k] = vs
			}
		}
	}
	return req, failure{}
}

// expand appends the expansion of the template pieces ps. In the path,
// values are escaped to stay one segment; in the query, to stay one value.
func expand(buf []byte, ps []piece, inPath bool, r *http.Request, info *reqctx.Info, ru *run) ([]byte, failure) {
	class := urlesc.QueryKeep
	if inPath {
		class = urlesc.Keep
	}
	for i := range ps {
		p := &ps[i]
		switch p.kind {
		case pieceLiteral:
			buf = append(buf, p.text...)
		case pieceParam, pieceCatchAll:
			v, ok := param(r, info, p.text)
			if !ok {
				return buf, failure{reason: "missing route parameter", status: http.StatusInternalServerError}
			}
			if p.kind == pieceCatchAll {
				var good bool
				if buf, good = appendSegments(buf, v); !good {
					return buf, failure{reason: "bad route parameter", status: http.StatusBadRequest}
				}
				continue
			}
			if inPath && badSegment(v) {
				return buf, failure{reason: "bad route parameter", status: http.StatusBadRequest}
			}
			buf, _ = urlesc.Append(buf, v, class)
		case pieceRef:
			var stack [128]byte
			v, ok := refValue(stack[:0], ru, p)
			if !ok {
				return buf, failure{reason: "missing field {" + p.leg + "." + strings.Join(p.field, ".") + "}", status: http.StatusBadGateway}
			}
			if inPath && badSegment(v) {
				return buf, failure{reason: "bad field {" + p.leg + "." + strings.Join(p.field, ".") + "}", status: http.StatusBadGateway}
			}
			buf, _ = urlesc.Append(buf, v, class)
		}
	}
	return buf, failure{}
}

// badSegment reports whether v cannot be one path segment: empty, a dot
// segment, or holding one between slashes ("../admin"), which an upstream
// decoding %2F before resolving dot segments would follow.
func badSegment[T string | []byte](v T) bool {
	if len(v) == 0 {
		return true
	}
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] != '/' {
			i++
		}
		if piece := v[:i]; len(piece) > 0 && len(piece) <= 2 && piece[0] == '.' && piece[len(piece)-1] == '.' {
			return true
		}
		if i == len(v) {
			break
		}
		v = v[i+1:]
	}
	return false
}

// param returns a route parameter: from the gateway's request info, else
// from the standard library's router (Request.PathValue).
func param(r *http.Request, info *reqctx.Info, name string) (string, bool) {
	if info != nil {
		return info.Params.Get(name)
	}
	v := r.PathValue(name)
	return v, v != ""
}

// appendSegments appends a catch-all value: each non-empty segment escaped,
// joined by '/', keeping a trailing slash as the proxy does. Dot segments
// are refused.
func appendSegments(buf []byte, v string) ([]byte, bool) {
	wrote := false
	trailing := strings.HasSuffix(v, "/")
	for v != "" {
		var seg string
		seg, v, _ = strings.Cut(v, "/")
		if seg == "" {
			continue
		}
		if seg == "." || seg == ".." {
			return buf, false
		}
		if wrote {
			buf = append(buf, '/')
		}
		buf, _ = urlesc.Append(buf, seg, urlesc.Keep)
		wrote = true
	}
	if wrote && trailing {
		buf = append(buf, '/')
	}
	return buf, true
}

// refValue returns the scalar at a chained reference, decoded: a string's
// text, or a number's or boolean's literal.
func refValue(dst []byte, ru *run, p *piece) ([]byte, bool) {
	v, ok := find(ru.res[p.dep].doc, p.field)
	if !ok || len(v) == 0 {
		return nil, false
	}
	switch v[0] {
	case '"':
		return unescape(dst, v[1:len(v)-1]), true
	case '{', '[', 'n':
		return nil, false
	default:
		return v, true
	}
}
