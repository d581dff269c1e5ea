package proxy

import (
	"strings"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/internal/urlesc"
)

// expand writes the upstream path for params after the base path and
// returns it decoded (for url.URL.Path) and, when the decoded form alone does
// not say how it was encoded, escaped (for url.URL.RawPath). buf is scratch
// space. Values are escaped so that they stay inside their segment: a
// parameter's '/' becomes %2F, a catch-all keeps its separators but escapes
// each segment and drops empty ones, and '?', '#' and '%' are always encoded.
// A value that would be a dot segment or an empty segment is refused with
// [ErrBadParam].
func (t *pathTemplate) expand(buf []byte, baseEsc, baseDec string, baseRaw bool, ps reqctx.Params) (path, raw string, err error) {
	needRaw := baseRaw || t.litRaw
	if len(t.path) == 1 && t.path[0].kind == pieceLiteral && baseEsc == "" {
		if needRaw {
			return t.path[0].dec, t.path[0].esc, nil
		}
		return t.path[0].dec, "", nil
	}
	buf = append(buf, baseEsc...)
	for i := range t.path {
		pc := &t.path[i]
		if pc.kind == pieceLiteral {
			buf = append(buf, pc.esc...)
			continue
		}
		v, ok := ps.Get(pc.name)
		if !ok {
			return "", "", errMissingParam
		}
		var escaped bool
		if pc.kind == pieceParam {
			if v == "" || v == "." || v == ".." {
				return "", "", ErrBadParam
			}
			buf, escaped = urlesc.Append(buf, v, urlesc.Keep)
		} else if buf, escaped, err = appendCatchAll(buf, v, true); err != nil {
			return "", "", err
		}
		needRaw = needRaw || escaped
	}
	if !needRaw {
		s := string(buf)
		return s, "", nil
	}
	raw = string(buf)
	buf = append(buf[:0], baseDec...)
	for i := range t.path {
		pc := &t.path[i]
		switch pc.kind {
		case pieceLiteral:
			buf = append(buf, pc.dec...)
		case pieceParam:
			v, _ := ps.Get(pc.name)
			buf = append(buf, v...)
		case pieceCatchAll:
			v, _ := ps.Get(pc.name)
			buf, _, _ = appendCatchAll(buf, v, false)
		}
	}
	return string(buf), raw, nil
}

// appendCatchAll appends the segments of v, escaped when escape is set,
// separated by single slashes and keeping a trailing slash.
func appendCatchAll(buf []byte, v string, escape bool) ([]byte, bool, error) {
	escaped, wrote := false, false
	trailing := strings.HasSuffix(v, "/")
	for v != "" {
		seg, rest, _ := strings.Cut(v, "/")
		v = rest
		if seg == "" {
			continue
		}
		if seg == "." || seg == ".." {
			return buf, false, ErrBadParam
		}
		if wrote {
			buf = append(buf, '/')
		}
		if escape {
			var e bool
			buf, e = urlesc.Append(buf, seg, urlesc.Keep)
			escaped = escaped || e
		} else {
			buf = append(buf, seg...)
		}
		wrote = true
	}
	if wrote && trailing {
		buf = append(buf, '/')
	}
	return buf, escaped, nil
}

// expandQuery returns the template's query with params substituted, followed
// by the client's query when there is one.
func (t *pathTemplate) expandQuery(buf []byte, ps reqctx.Params, client string) (string, error) {
	switch {
	case len(t.query) == 0:
		return client, nil
	case t.staticQuery != "" && client == "":
		return t.staticQuery, nil
	}
	for i := range t.query {
		pc := &t.query[i]
		if pc.kind == pieceLiteral {
			buf = append(buf, pc.esc...)
			continue
		}
		v, ok := ps.Get(pc.name)
		if !ok {
			return "", errMissingParam
		}
		buf, _ = urlesc.Append(buf, v, urlesc.QueryKeep)
	}
	if client != "" {
		buf = append(buf, '&')
		buf = append(buf, client...)
	}
	return string(buf), nil
}
