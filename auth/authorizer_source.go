package auth

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// IdentitySource names where a custom authorizer's identity comes from: a
// request header, a query parameter, a cookie or a stage variable. A
// request missing any of its authorizer's sources is refused with 401
// without calling the authorizer.
type IdentitySource struct {
	kind sourceKind
	name string
}

type sourceKind uint8

const (
	sourceHeader sourceKind = iota + 1
	sourceQuery
	sourceCookie
	sourceStageVar
)

// IdentityHeader reads the identity from a request header, such as
// "Authorization". A header sent twice is refused with 400.
func IdentityHeader(name string) IdentitySource {
	return IdentitySource{sourceHeader, http.CanonicalHeaderKey(name)}
}

// IdentityQuery reads the identity from a query parameter. A parameter
// sent twice is refused with 400.
func IdentityQuery(name string) IdentitySource { return IdentitySource{sourceQuery, name} }

// IdentityCookie reads the identity from a cookie. A cookie sent twice is
// refused with 400.
func IdentityCookie(name string) IdentitySource { return IdentitySource{sourceCookie, name} }

// IdentityStageVar reads the identity from a stage variable of the
// deployment serving the request, so a cached decision is per stage.
func IdentityStageVar(name string) IdentitySource { return IdentitySource{sourceStageVar, name} }

// String describes the source, as "header:Authorization".
func (s IdentitySource) String() string {
	return [...]string{"invalid", "header", "query", "cookie", "stagevar"}[min(int(s.kind), 4)] + ":" + s.name
}

func (s IdentitySource) validate() error {
	if s.kind == 0 || s.name == "" || !validKeySourceName(s.name) && s.kind != sourceStageVar {
		return fmt.Errorf("auth: invalid identity source %s", s)
	}
	return nil
}

// maxIdentityLen bounds each identity value; longer values are refused
// before anything else happens.
const maxIdentityLen = 8 << 10

var errIdentityTooLong = errors.New("auth: identity source value too long")

// identity reads the sources' values into vals. It returns ok=false when a
// source is missing or empty, and an error for an ambiguous or oversized
// value.
func readIdentity(r *http.Request, sources []IdentitySource, vals []string) (ok bool, err error) {
	for i, s := range sources {
		var v string
		switch s.kind {
		case sourceHeader:
			vs := r.Header[s.name]
			if len(vs) > 1 {
				return false, ErrInvalidRequest
			}
			if len(vs) == 1 {
				v = vs[0]
			}
		case sourceQuery:
			var n int
			v, n = queryValue(r.URL.RawQuery, s.name)
			if n > 1 {
				return false, ErrInvalidRequest
			}
		case sourceCookie:
			cs := r.CookiesNamed(s.name)
			if len(cs) > 1 {
				return false, ErrInvalidRequest
			}
			if len(cs) == 1 {
				v = cs[0].Value
			}
		case sourceStageVar:
			if info := reqctx.From(r.Context()); info != nil {
				v = info.StageVars[s.name]
			}
		}
		if len(v) > maxIdentityLen {
			return false, errIdentityTooLong
		}
		if strings.TrimSpace(v) == "" {
			return false, nil
		}
		vals[i] = v
	}
	return true, nil
}

// queryValue returns the unescaped value of the first occurrence of name in
// the raw query and the number of occurrences, without allocating for
// queries that need no unescaping.
func queryValue(raw, name string) (string, int) {
	var v string
	n := 0
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		k, val, _ := strings.Cut(part, "=")
		if k != name {
			if strings.IndexByte(k, '%') < 0 && strings.IndexByte(k, '+') < 0 {
				continue
			}
			if uk, err := url.QueryUnescape(k); err != nil || uk != name {
				continue
			}
		}
		if n == 0 {
			v = val
			if strings.IndexByte(val, '%') >= 0 || strings.IndexByte(val, '+') >= 0 {
				if uv, err := url.QueryUnescape(val); err == nil {
					v = uv
				}
			}
		}
		n++
	}
	return v, n
}

// cacheKey hashes the identity values, and for a route-specific key the
// method, route and escaped path, into a fixed-size key: the cache never
// holds raw tokens, and a long token costs no more memory than a short one.
func cacheKey(vals []string, stage, method, route, path string, perRoute bool) [sha256.Size]byte {
	var stack [512]byte
	b := stack[:0]
	if perRoute {
		b = append(b, 'R')
	} else {
		b = append(b, 'I')
	}
	add := func(s string) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	add(stage)
	for _, v := range vals {
		add(v)
	}
	if perRoute {
		add(method)
		add(route)
		add(path)
	}
	return sha256.Sum256(b)
}
