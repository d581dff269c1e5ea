package aggregate

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatewaykit/gateway/internal/urlesc"
)

type pieceKind uint8

const (
	pieceLiteral  pieceKind = iota // escaped text copied as written
	pieceParam                     // ":name": a route parameter
	pieceCatchAll                  // "*name": a catch-all route parameter
	pieceRef                       // "{leg.path}": a field of an earlier leg
)

// piece is one part of a parsed path template.
type piece struct {
	kind  pieceKind
	text  string   // literal text, or the parameter name
	leg   string   // referenced leg (pieceRef)
	field []string // field path inside the leg's response (pieceRef)
	dep   int      // index of the referenced leg, set when compiling
}

// template is a parsed leg path: pieces of the path, then of the query.
type template struct {
	raw   string
	path  []piece
	query []piece
	keys  []string // the query parameter names the template sets, decoded
}

func templateError(s, msg string) error {
	return errors.New("path template " + strconv.Quote(s) + ": " + msg)
}

// parseTemplate parses a leg's path template.
func parseTemplate(s string) (*template, error) {
	if s == "" || s[0] != '/' {
		return nil, templateError(s, "must start with '/'")
	}
	t := &template{raw: s}
	p, q, hasQuery := strings.Cut(s, "?")
	segs := strings.Split(p[1:], "/")
	for i, seg := range segs {
		t.path = appendLit(t.path, "/")
		if len(seg) > 1 && (seg[0] == ':' || seg[0] == '*') {
			if !urlesc.ValidName(seg[1:]) {
				return nil, templateError(s, "parameter "+strconv.Quote(seg)+" has no valid name")
			}
			kind := pieceParam
			if seg[0] == '*' {
				if i != len(segs)-1 {
					return nil, templateError(s, "catch-all "+strconv.Quote(seg)+" must be the last segment")
				}
				kind = pieceCatchAll
			}
			t.path = append(t.path, piece{kind: kind, text: seg[1:]})
			continue
		}
		if seg == "" && i != len(segs)-1 {
			return nil, templateError(s, "has an empty path segment")
		}
		var err error
		if t.path, err = parseText(t.path, s, seg, urlesc.PathLiteral); err != nil {
			return nil, err
		}
	}
	if !hasQuery {
		return t, nil
	}
	for i, pair := range strings.Split(q, "&") {
		if i > 0 {
			t.query = appendLit(t.query, "&")
		}
		k, v, hasValue := strings.Cut(pair, "=")
		if k == "" {
			return nil, templateError(s, "has a query parameter without a name")
		}
		var err error
		if t.query, err = parseText(t.query, s, k, urlesc.QueryLiteral); err != nil {
			return nil, err
		}
		if name, err := url.QueryUnescape(k); err == nil && !strings.Contains(k, "{") {
			t.keys = append(t.keys, name)
		}
		if !hasValue {
			continue
		}
		t.query = appendLit(t.query, "=")
		if len(v) > 1 && v[0] == ':' {
			if !urlesc.ValidName(v[1:]) {
				return nil, templateError(s, "parameter "+strconv.Quote(v)+" has no valid name")
			}
			t.query = append(t.query, piece{kind: pieceParam, text: v[1:]})
			continue
		}
		if t.query, err = parseText(t.query, s, v, urlesc.QueryLiteral); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// appendLit appends literal text, joining it to a preceding literal.
func appendLit(ps []piece, text string) []piece {
	if n := len(ps); n > 0 && ps[n-1].kind == pieceLiteral {
		ps[n-1].text += text
		return ps
	}
	return append(ps, piece{kind: pieceLiteral, text: text})
}

// parseText parses literal text with "{leg.field}" references.
func parseText(ps []piece, tmpl, s string, class urlesc.Class) ([]piece, error) {
	for s != "" {
		open := strings.IndexByte(s, '{')
		lit := s
		if open >= 0 {
			lit = s[:open]
		}
		if c, ok := urlesc.ValidLiteral(lit, class); !ok {
			if c == '%' {
				return nil, templateError(tmpl, "has a malformed percent-escape")
			}
			return nil, templateError(tmpl, "has the character "+strconv.QuoteRune(rune(c))+" which must be percent-encoded")
		}
		if lit != "" {
			ps = appendLit(ps, lit)
		}
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			return nil, templateError(tmpl, "has an unclosed '{'")
		}
		ref := s[open+1 : open+end]
		names, err := parseFieldPath(ref)
		if err != nil || len(names) < 2 {
			return nil, templateError(tmpl, "reference {"+ref+"} must be {leg.field}")
		}
		ps = append(ps, piece{kind: pieceRef, leg: names[0], field: names[1:]})
		s = s[open+end+1:]
	}
	return ps, nil
}
