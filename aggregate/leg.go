package aggregate

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gatewaykit/gateway/proxy"
)

// Leg describes one backend call of an aggregate. Create it with [Call]
// and refine it with its methods, which return the leg for chaining. A leg
// is read when [New] or [Compile] builds the aggregate; changing it
// afterwards has no effect on that aggregate. Mistakes (an invalid path,
// header name or field path) are reported by [Compile] and
// [Aggregate.Validate].
type Leg struct {
	up          *proxy.Upstream
	path        string
	method      string
	name        string
	group       string
	target      string
	allow, deny []string
	renames     [][2]string
	optional    bool
	timeout     time.Duration
	passHeaders []string
	setHeaders  http.Header
	passQuery   []string
	allQuery    bool
	respHeaders []string
	maxBytes    int64
	maxDepth    int
	body        bool
	errs        []error
}

// Call returns a leg that sends GET requests to upstream at path, a
// template for the upstream path and query. In the template:
//
//   - a segment ":name" is the route's path parameter name, and a final
//     segment "*name" its catch-all parameter; a query value may be ":name"
//     as well ("/orders?user=:id");
//   - "{leg.field.path}", anywhere in a segment or query value, is a field
//     of the response of the earlier leg named leg ("/accounts/{user.account_id}"),
//     which makes this leg wait for that one (see [Leg.Name]).
//
// Substituted values are percent-encoded, so they cannot add path segments
// or query parameters; a catch-all value keeps the slashes between its
// segments, and a trailing one, as the proxy's templates do. A value that
// would be no segment in a path ("", ".", "..", or a dot segment between
// slashes, "../admin", which an upstream decoding %2F would follow) fails:
// a route parameter with 400, a field of an earlier leg with 502.
func Call(upstream *proxy.Upstream, path string) *Leg {
	return &Leg{up: upstream, path: path, method: http.MethodGet}
}

func (l *Leg) fail(err error) *Leg {
	l.errs = append(l.errs, err)
	return l
}

// Method sets the HTTP method of the call (GET by default). A leg sends no
// request body unless [Leg.ForwardBody] is set.
func (l *Leg) Method(m string) *Leg {
	if m == "" || !validToken(m) {
		return l.fail(errors.New("invalid method " + strconv.Quote(m)))
	}
	l.method = m
	return l
}

// ForwardBody sends the client's request body, with its Content-Type and
// Content-Encoding, with the call. The body is read once, up to the
// aggregate's [MaxBodyBytes], and given to every leg that forwards it; a
// larger body is refused with 413.
func (l *Leg) ForwardBody() *Leg {
	l.body = true
	return l
}

// Name names the leg in the error map, in problem details and in chained
// references ("{name.field}"). The default is the [Leg.Group] key, else
// "leg1", "leg2", … by position. Names must be unique.
func (l *Leg) Name(name string) *Leg {
	if name == "" {
		return l.fail(errors.New("empty leg name"))
	}
	l.name = name
	return l
}

// Group nests the leg's result under key in the merged object.
func (l *Leg) Group(key string) *Leg {
	if key == "" {
		return l.fail(errors.New("empty group key"))
	}
	l.group = key
	return l
}

// Target replaces the leg's response by the value at a field path inside it
// (e.g. "data" or "data.items"; a decimal name indexes an array). A
// response without that field fails the leg.
func (l *Leg) Target(path string) *Leg {
	l.target = path
	return l
}

// Allow keeps only the given fields of the response (after [Leg.Target]),
// written as dot paths: "id", "address.city". The path through an array
// applies to each of its elements, so "items.sku" keeps the sku of every
// item, and on a top-level array "id" keeps the id of every element. A
// backslash escapes a dot that is part of a name: "a\\.b".
func (l *Leg) Allow(paths ...string) *Leg {
	l.allow = append(l.allow, paths...)
	return l
}

// Deny removes the given fields (dot paths, as for [Leg.Allow]) from the
// response. With both, a field must be allowed and not denied.
func (l *Leg) Deny(paths ...string) *Leg {
	l.deny = append(l.deny, paths...)
	return l
}

// Rename renames the field at the dot path from to the name to, in place:
// Rename("address.zip", "postcode"). Paths in Allow and Deny use the
// backend's names. A renamed field replaces a field that already had the
// new name.
func (l *Leg) Rename(from, to string) *Leg {
	l.renames = append(l.renames, [2]string{from, to})
	return l
}

// Optional marks the leg optional: when it fails, the aggregate still
// answers 200 with what the other legs returned and signals that the
// response is partial. Legs are required by default.
func (l *Leg) Optional() *Leg {
	l.optional = true
	return l
}

// Timeout bounds the call, from sending the request to reading the whole
// body. It never extends the route's own deadline. Zero (the default)
// leaves only the route's deadline.
func (l *Leg) Timeout(d time.Duration) *Leg {
	if d < 0 {
		return l.fail(errors.New("negative timeout"))
	}
	l.timeout = d
	return l
}

// PassHeaders forwards the named headers of the client's request to the
// backend. By default a leg sends only Accept: application/json and the
// request ID (X-Request-Id). Hop-by-hop headers (Connection, Upgrade, …),
// Host and Content-Length cannot be passed, nor set with [Leg.SetHeader].
func (l *Leg) PassHeaders(names ...string) *Leg {
	for _, n := range names {
		if !validToken(n) {
			return l.fail(errors.New("invalid header name " + strconv.Quote(n)))
		}
		n = http.CanonicalHeaderKey(n)
		if err := requestHeaderError("PassHeaders", n); err != nil {
			return l.fail(err)
		}
		l.passHeaders = append(l.passHeaders, n)
	}
	return l
}

// SetHeader sends a fixed header with every call of the leg.
func (l *Leg) SetHeader(name, value string) *Leg {
	if !validToken(name) || !validHeaderValue(value) {
		return l.fail(errors.New("invalid header " + strconv.Quote(name)))
	}
	if err := requestHeaderError("SetHeader", http.CanonicalHeaderKey(name)); err != nil {
		return l.fail(err)
	}
	if l.setHeaders == nil {
		l.setHeaders = http.Header{}
	}
	l.setHeaders.Add(name, value)
	return l
}

// PassQuery forwards the named parameters of the client's query string,
// after the template's own query. Without names, the whole client query is
// forwarded. A parameter the template sets is never taken from the client,
// so "/orders?user=:id" keeps its user whatever the client's query says
// (semicolons in the parameters passed then are escaped, for backends that
// also split at ';').
func (l *Leg) PassQuery(names ...string) *Leg {
	if len(names) == 0 {
		l.allQuery = true
	}
	l.passQuery = append(l.passQuery, names...)
	return l
}

// ResponseHeaders lets the named headers of the leg's response through to
// the client. No backend header is passed by default. Values of every
// successful leg are kept, in leg order, so several Set-Cookie headers
// survive. Hop-by-hop headers (Connection, Transfer-Encoding, …) and the
// headers that describe the leg's own body (Content-Length, Content-Type,
// Content-Encoding) cannot be let through.
func (l *Leg) ResponseHeaders(names ...string) *Leg {
	for _, n := range names {
		if !validToken(n) {
			return l.fail(errors.New("invalid header name " + strconv.Quote(n)))
		}
		n = http.CanonicalHeaderKey(n)
		switch {
		case hopByHop(n):
			return l.fail(errors.New("ResponseHeaders: " + n + " is a hop-by-hop header"))
		case n == "Content-Length" || n == "Content-Type" || n == "Content-Encoding":
			return l.fail(errors.New("ResponseHeaders: " + n + " describes the leg's body, not the aggregate's"))
		}
		l.respHeaders = append(l.respHeaders, n)
	}
	return l
}

// MaxBytes bounds the size of the leg's response body; a larger body fails
// the leg. The default is the aggregate's [MaxBytes].
func (l *Leg) MaxBytes(n int64) *Leg {
	if n <= 0 {
		return l.fail(errors.New("MaxBytes must be positive"))
	}
	l.maxBytes = n
	return l
}

// MaxDepth bounds the nesting of the leg's JSON response; a deeper body
// fails the leg. The default is the aggregate's [MaxDepth].
func (l *Leg) MaxDepth(n int) *Leg {
	if n <= 0 || n > maxDepthLimit {
		return l.fail(errors.New("MaxDepth must be between 1 and " + strconv.Itoa(maxDepthLimit)))
	}
	l.maxDepth = n
	return l
}

func (l *Leg) apply(c *config) { c.legs = append(c.legs, l) }

// hopByHop reports whether the canonical header name n belongs to one
// connection rather than to the message.
func hopByHop(n string) bool {
	switch n {
	case "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
		"Te", "Trailer", "Transfer-Encoding", "Upgrade":
		return true
	}
	return false
}

// requestHeaderError refuses the headers a leg cannot send: hop-by-hop
// headers (an Upgrade would also turn the upstream's timeout off), and
// those the transport sets itself.
func requestHeaderError(option, n string) error {
	switch {
	case hopByHop(n):
		return errors.New(option + ": " + n + " is a hop-by-hop header")
	case n == "Host" || n == "Content-Length":
		return errors.New(option + ": " + n + " is set by the transport")
	}
	return nil
}

// validToken reports whether s is an RFC 9110 token (a method or header
// name).
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !ok {
			switch c {
			case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
