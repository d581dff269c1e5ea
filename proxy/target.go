package proxy

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// dest is a resolved target: where requests go and the base path the
// upstream path is joined to. It is shared by concurrent requests and never
// modified after construction.
type dest struct {
	url     *url.URL
	scheme  string
	host    string
	baseEsc string // escaped base path without its trailing slash
	baseDec string // decoded base path without its trailing slash
	baseRaw bool   // the base path is only exact in its escaped form
}

// parseDest parses and checks an absolute target URL.
func parseDest(raw string) (*dest, error) {
	if strings.IndexByte(raw, '#') >= 0 {
		return nil, errors.New("must not have a fragment")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, err
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errors.New("scheme must be http or https")
	case u.Opaque != "":
		return nil, errors.New("must be an absolute URL with a host")
	case u.Host == "" || u.Hostname() == "":
		return nil, errors.New("has no host")
	case u.User != nil:
		return nil, errors.New("must not contain user information")
	case u.RawQuery != "" || u.ForceQuery:
		return nil, errors.New("must not have a query")
	}
	for i := 0; i < len(u.Host); i++ {
		if c := u.Host[i]; c <= ' ' || c >= 0x7f {
			return nil, errors.New("host has an invalid character")
		}
	}
	d := &dest{url: u, scheme: u.Scheme, host: u.Host}
	esc, dec := u.EscapedPath(), u.Path
	if strings.HasSuffix(esc, "/") {
		esc, dec = esc[:len(esc)-1], dec[:len(dec)-1]
	}
	if esc != "" && esc[0] != '/' {
		return nil, errors.New("base path must start with '/'")
	}
	for _, seg := range strings.Split(dec, "/") {
		if seg == "." || seg == ".." {
			return nil, errors.New("base path has a dot segment")
		}
	}
	d.baseEsc, d.baseDec = esc, dec
	d.baseRaw = esc != dec
	return d, nil
}

// varPrefix opens a stage variable placeholder.
const varPrefix = "${stageVariables."

// maxResolved bounds the resolved URLs cached per templated target. A
// gateway has a handful of stages, so the bound is only reached when stage
// variables change often; the cache then starts over.
const maxResolved = 64

// target is one configured target URL. A static target is parsed once; a
// templated one is resolved per request from the stage variables, with the
// parsed results cached.
type target struct {
	raw    string
	static *dest
	parts  []piece // templated: literals and stage variable names

	mu    sync.RWMutex
	cache map[string]*dest
}

func newTarget(raw string) (*target, error) {
	t := &target{raw: raw}
	if !strings.Contains(raw, "${") {
		d, err := parseDest(raw)
		if err != nil {
			return nil, err
		}
		t.static = d
		return t, nil
	}
	rest := raw
	for rest != "" {
		i := strings.Index(rest, "${")
		if i < 0 {
			t.parts = append(t.parts, piece{esc: rest})
			break
		}
		if i > 0 {
			t.parts = append(t.parts, piece{esc: rest[:i]})
		}
		rest = rest[i:]
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return nil, errors.New("has an unterminated placeholder")
		}
		ph := rest[:end+1]
		if !strings.HasPrefix(ph, varPrefix) {
			return nil, errors.New("placeholder " + strconv.Quote(ph) + " is not ${stageVariables.NAME}")
		}
		name := ph[len(varPrefix) : len(ph)-1]
		if !validVarName(name) {
			return nil, errors.New("placeholder " + strconv.Quote(ph) + " has an invalid variable name")
		}
		t.parts = append(t.parts, piece{kind: pieceParam, name: name})
		rest = rest[end+1:]
	}
	t.cache = make(map[string]*dest)
	return t, nil
}

// validVarName accepts the names stage variables may have: letters, digits,
// '_', '-' and '.'.
func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// errVarUnset is returned by resolve for a stage variable that has no
// value; Validate turns it into a message naming the variable.
type errVarUnset struct{ name string }

func (e errVarUnset) Error() string {
	return "stage variable " + strconv.Quote(e.name) + " is not set"
}

// resolve returns the destination for the given stage variables. A cached
// destination is found without allocating.
func (t *target) resolve(vars map[string]string) (*dest, error) {
	if t.static != nil {
		return t.static, nil
	}
	var stack [256]byte
	b := stack[:0]
	for i := range t.parts {
		p := &t.parts[i]
		if p.kind == pieceLiteral {
			b = append(b, p.esc...)
			continue
		}
		v, ok := vars[p.name]
		if !ok {
			return nil, errVarUnset{p.name}
		}
		b = append(b, v...)
	}
	t.mu.RLock()
	d := t.cache[string(b)]
	t.mu.RUnlock()
	if d != nil {
		return d, nil
	}
	s := string(b)
	d, err := parseDest(s)
	if err != nil {
		return nil, errors.New("resolves to " + strconv.Quote(s) + ": " + err.Error())
	}
	t.mu.Lock()
	if len(t.cache) >= maxResolved {
		clear(t.cache)
	}
	t.cache[s] = d
	t.mu.Unlock()
	return d, nil
}
