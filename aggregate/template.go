package aggregate

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
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

// literal byte classes
const (
	litPath  = 1 << iota // RFC 3986 pchar and '/', without '%'
	litQuery             // RFC 3986 query characters without '%', '&' and '='
	keepPath             // left as is in a substituted path value
	keepQry              // left as is in a substituted query value
)

var litClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		unreserved := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~'
		var cl uint8
		if unreserved {
			cl = litPath | litQuery | keepPath | keepQry
		}
		switch c {
		case '$', '+', ':', '@', '=', '&':
			cl |= litPath | litQuery | keepPath
		case '!', '\'', '(', ')', '*', ',', ';':
			cl |= litPath | litQuery
		case '/':
			cl |= litPath | litQuery
		case '?':
			cl |= litQuery
		}
		t[c] = cl
	}
	return t
}()

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
			if !validName(seg[1:]) {
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
		if t.path, err = parseText(t.path, s, seg, litPath); err != nil {
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
		if t.query, err = parseText(t.query, s, k, litQuery); err != nil {
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
			if !validName(v[1:]) {
				return nil, templateError(s, "parameter "+strconv.Quote(v)+" has no valid name")
			}
			t.query = append(t.query, piece{kind: pieceParam, text: v[1:]})
			continue
		}
		if t.query, err = parseText(t.query, s, v, litQuery); err != nil {
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
func parseText(ps []piece, tmpl, s string, class uint8) ([]piece, error) {
	for s != "" {
		open := strings.IndexByte(s, '{')
		lit := s
		if open >= 0 {
			lit = s[:open]
		}
		for i := 0; i < len(lit); i++ {
			c := lit[i]
			switch {
			case c == '%':
				if i+2 >= len(lit) || !isHex(lit[i+1]) || !isHex(lit[i+2]) {
					return nil, templateError(tmpl, "has a malformed percent-escape")
				}
				i += 2
			case litClass[c]&class == 0:
				return nil, templateError(tmpl, "has the character "+strconv.QuoteRune(rune(c))+" which must be percent-encoded")
			}
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

// validName accepts parameter names of letters, digits and '_'.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// appendEscaped appends s percent-encoding every byte outside class.
func appendEscaped[T string | []byte](dst []byte, s T, class uint8) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if litClass[c]&class != 0 {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', hex[c>>4], hex[c&15])
	}
	return dst
}
