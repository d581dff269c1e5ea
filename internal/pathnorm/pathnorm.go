// Package pathnorm turns a request path into the one canonical form that both
// the router and the upstream see, so that no spelling of a path can reach a
// route that its canonical spelling would not. It collapses repeated slashes,
// resolves "." and ".." segments (also when percent-encoded), and rejects
// encoded slashes, NUL and other control characters, backslashes, and dot
// segments that some servers would still resolve: ".." followed by path
// parameters ("..;x", which Tomcat, Jetty and Spring read as ".."), and,
// where encoded slashes are allowed, dot segments hidden between them
// ("a%2F..%2Fb").
package pathnorm

import (
	"errors"
	"net/url"
	"path"
	"slices"
	"strings"
)

// Errors returned by [Clean]. All of them mean 400 Bad Request.
var (
	ErrNotAbsolute  = errors.New("path does not start with /")
	ErrBadEscape    = errors.New("path has an invalid percent-encoding")
	ErrEncodedSlash = errors.New("path has an encoded slash")
	ErrControlChar  = errors.New("path has a control character")
	ErrBackslash    = errors.New("path has a backslash")
	ErrDotSegment   = errors.New("path has a dot segment with parameters or encoded slashes")
)

// Options relax the defaults.
type Options struct {
	// AllowEncodedSlash keeps %2F inside a segment instead of rejecting it.
	// The segment is then passed upstream still encoded.
	AllowEncodedSlash bool
}

// Clean returns the canonical decoded path for escaped, the path as sent by
// the client (url.URL.EscapedPath). When rawNeeded is true the canonical path
// contains an encoded slash and raw is its escaped form, to be used as
// url.URL.RawPath; otherwise raw is empty.
//
// A path that is already canonical is returned without allocating.
func Clean(escaped string, opt Options) (path, raw string, err error) {
	if escaped == "" || escaped[0] != '/' {
		return "", "", ErrNotAbsolute
	}
	if isCanonical(escaped) {
		return escaped, "", nil
	}
	segs := make([]string, 0, 8)
	hasEncSlash := false
	rest := escaped[1:]
	trailing := false
	for {
		i := strings.IndexByte(rest, '/')
		seg := rest
		if i >= 0 {
			seg = rest[:i]
		}
		dec, encSlash, err := decodeSegment(seg)
		if err != nil {
			return "", "", err
		}
		if encSlash && !opt.AllowEncodedSlash {
			return "", "", ErrEncodedSlash
		}
		if hiddenDotSegment(dec) {
			return "", "", ErrDotSegment
		}
		trailing = false
		switch dec {
		case "":
			trailing = true
		case ".":
			trailing = true
		case "..":
			trailing = true
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, dec)
			hasEncSlash = hasEncSlash || encSlash
		}
		if i < 0 {
			break
		}
		rest = rest[i+1:]
	}
	path = join(segs, trailing)
	if hasEncSlash && slices.ContainsFunc(segs, func(s string) bool { return strings.IndexByte(s, '/') >= 0 }) {
		// Some segment still holds a slash: keep it encoded in RawPath so
		// it stays one segment upstream.
		raw := make([]string, len(segs))
		for i, s := range segs {
			raw[i] = url.PathEscape(s)
		}
		return path, join(raw, trailing), nil
	}
	return path, "", nil
}

// hiddenDotSegment reports whether the decoded segment seg, though not
// itself "." or "..", would be read as a dot segment by a server that
// drops path parameters (everything from ';') or that decodes an encoded
// slash before resolving dot segments.
func hiddenDotSegment(seg string) bool {
	if strings.IndexByte(seg, ';') < 0 && strings.IndexByte(seg, '/') < 0 {
		return false
	}
	for piece := range strings.SplitSeq(seg, "/") {
		if i := strings.IndexByte(piece, ';'); i >= 0 {
			piece = piece[:i]
		}
		if piece == "." || piece == ".." {
			return true
		}
	}
	return false
}

func join(segs []string, trailing bool) string {
	if len(segs) == 0 {
		return "/"
	}
	s := "/" + strings.Join(segs, "/")
	if trailing {
		s += "/"
	}
	return s
}

// isCanonical reports whether p needs no work: no escapes, no empty, "." or
// ".." segments (also with parameters, ".;x"), no control characters and no
// backslashes.
func isCanonical(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '%' || c == '\\' || c < 0x20 || c == 0x7f:
			return false
		case c == '/':
			if i+1 < len(p) && p[i+1] == '/' {
				return false
			}
			if i+1 < len(p) && p[i+1] == '.' {
				j := i + 2
				if j < len(p) && p[j] == '.' {
					j++
				}
				if j == len(p) || p[j] == '/' || p[j] == ';' {
					return false
				}
			}
		}
	}
	return true
}

func decodeSegment(s string) (dec string, encSlash bool, err error) {
	if strings.IndexByte(s, '%') < 0 {
		for i := 0; i < len(s); i++ {
			if err := checkByte(s[i]); err != nil {
				return "", false, err
			}
		}
		return s, false, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", false, ErrBadEscape
			}
			c = unhex(s[i+1])<<4 | unhex(s[i+2])
			i += 2
			if c == '/' {
				encSlash = true
			}
		}
		if err := checkByte(c); err != nil {
			return "", false, err
		}
		b.WriteByte(c)
	}
	return b.String(), encSlash, nil
}

func checkByte(c byte) error {
	switch {
	case c < 0x20 || c == 0x7f:
		return ErrControlChar
	case c == '\\':
		return ErrBackslash
	}
	return nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// Lexical cleans an already decoded path of dot segments and repeated
// slashes, keeping a trailing slash, for blocks that match routes when
// used outside a gateway (which normalises paths itself with [Clean]). ""
// becomes "/". A path that needs no cleaning is returned as it is.
func Lexical(p string) string {
	if p != "" && p[0] == '/' && !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		return p
	}
	if p == "" {
		return "/"
	}
	c := path.Clean(p)
	if p[len(p)-1] == '/' && c != "/" {
		c += "/"
	}
	return c
}
