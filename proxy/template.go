package proxy

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatewaykit/gateway/internal/urlesc"
)

type pieceKind uint8

const (
	pieceLiteral  pieceKind = iota // text copied as written
	pieceParam                     // ":name": one escaped segment, or one escaped query value
	pieceCatchAll                  // "*name": escaped segments keeping their '/' separators
)

// piece is one part of a parsed path template.
type piece struct {
	kind pieceKind
	esc  string // literal as written (percent-encoded)
	dec  string // literal decoded (path literals only)
	name string // parameter name
}

// pathTemplate is a parsed upstream path template such as
// "/internal/users/:id" or "/orders?user=:id". Every literal is validated and
// decoded once, so expanding it costs one pass over the pieces.
type pathTemplate struct {
	raw         string
	passthrough bool    // "": forward the inbound path
	path        []piece // path pieces; the first is a literal starting with '/'
	query       []piece // query pieces: literals and parameter values
	names       []string
	litRaw      bool   // a path literal is only exact as RawPath
	prefix      string // escaped literal text before the first parameter
	staticQuery string // the query when it has no parameters
}

// errMissingParam reports a template parameter the request does not carry,
// a configuration mistake the gateway catches when it builds routes.
var errMissingParam = errors.New("proxy: the request has no value for a path template parameter")

func templateError(tmpl, msg string) error {
	return errors.New("proxy: path template " + strconv.Quote(tmpl) + ": " + msg)
}

// parseTemplate parses an upstream path template.
func parseTemplate(s string) (*pathTemplate, error) {
	t := &pathTemplate{raw: s}
	if s == "" {
		t.passthrough = true
		return t, nil
	}
	if s[0] != '/' {
		return nil, templateError(s, "must start with '/'")
	}
	if strings.IndexByte(s, '#') >= 0 {
		return nil, templateError(s, "must not contain a fragment ('#')")
	}
	p, q, hasQuery := strings.Cut(s, "?")
	if err := t.parsePath(p); err != nil {
		return nil, err
	}
	if hasQuery {
		if err := t.parseQuery(q); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (t *pathTemplate) addName(name string) {
	for _, n := range t.names {
		if n == name {
			return
		}
	}
	t.names = append(t.names, name)
}

func (t *pathTemplate) parsePath(p string) error {
	var esc, dec strings.Builder
	seenParam := false
	flush := func() {
		if esc.Len() > 0 {
			t.path = append(t.path, piece{kind: pieceLiteral, esc: esc.String(), dec: dec.String()})
			esc.Reset()
			dec.Reset()
		}
	}
	esc.WriteByte('/')
	dec.WriteByte('/')
	segs := strings.Split(p[1:], "/")
	for i, seg := range segs {
		last := i == len(segs)-1
		switch {
		case seg == "":
			if !last {
				return templateError(t.raw, "has an empty path segment")
			}
		case seg[0] == ':' || seg[0] == '*':
			name := seg[1:]
			if !urlesc.ValidName(name) {
				return templateError(t.raw, "parameter "+strconv.Quote(seg)+" has no valid name")
			}
			kind := pieceParam
			if seg[0] == '*' {
				if !last {
					return templateError(t.raw, "catch-all "+strconv.Quote(seg)+" must be the last segment")
				}
				kind = pieceCatchAll
			}
			if !seenParam {
				t.prefix = esc.String()
				seenParam = true
			}
			flush()
			t.path = append(t.path, piece{kind: kind, name: name})
			t.addName(name)
		default:
			if bad, ok := urlesc.ValidLiteral(seg, urlesc.PathLiteral); !ok {
				return templateError(t.raw, "byte "+strconv.Quote(string(bad))+" must be percent-encoded")
			}
			d, err := url.PathUnescape(seg)
			if err != nil {
				return templateError(t.raw, "has an invalid percent-encoding")
			}
			if d == "." || d == ".." {
				return templateError(t.raw, "has a dot segment")
			}
			if d != seg || (&url.URL{Path: d}).EscapedPath() != seg {
				t.litRaw = true
			}
			esc.WriteString(seg)
			dec.WriteString(d)
		}
		if !last {
			esc.WriteByte('/')
			dec.WriteByte('/')
		}
	}
	if !seenParam {
		t.prefix = esc.String()
	}
	flush()
	return nil
}

func (t *pathTemplate) parseQuery(q string) error {
	if q == "" {
		return nil
	}
	var lit strings.Builder
	hasParam := false
	for i, part := range strings.Split(q, "&") {
		if i > 0 {
			lit.WriteByte('&')
		}
		key, val, hasVal := strings.Cut(part, "=")
		if key == "" {
			return templateError(t.raw, "has a query parameter without a name")
		}
		if bad, ok := urlesc.ValidLiteral(key, urlesc.QueryLiteral); !ok || strings.IndexByte(key, ':') == 0 {
			if ok {
				return templateError(t.raw, "query parameter names cannot be substituted")
			}
			return templateError(t.raw, "byte "+strconv.Quote(string(bad))+" must be percent-encoded")
		}
		lit.WriteString(key)
		if !hasVal {
			continue
		}
		lit.WriteByte('=')
		if strings.HasPrefix(val, ":") {
			name := val[1:]
			if !urlesc.ValidName(name) {
				return templateError(t.raw, "query parameter "+strconv.Quote(key)+" has no valid parameter name")
			}
			t.query = append(t.query, piece{kind: pieceLiteral, esc: lit.String()})
			lit.Reset()
			t.query = append(t.query, piece{kind: pieceParam, name: name})
			t.addName(name)
			hasParam = true
			continue
		}
		if bad, ok := urlesc.ValidLiteral(val, urlesc.QueryLiteral); !ok {
			return templateError(t.raw, "byte "+strconv.Quote(string(bad))+" must be percent-encoded")
		}
		lit.WriteString(val)
	}
	if lit.Len() > 0 {
		t.query = append(t.query, piece{kind: pieceLiteral, esc: lit.String()})
	}
	if !hasParam {
		t.staticQuery = lit.String()
	}
	return nil
}
