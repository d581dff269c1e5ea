package observe

import (
	"net/url"
	"strconv"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// endpoint is what client spans say of one scheme and host, worked out
// once: the start of url.full and the server.address and server.port
// attributes.
type endpoint struct {
	prefix string // "scheme://host"
	attrs  [2]attribute.KeyValue
	n      int // attributes in attrs
}

type endpointKey struct{ scheme, host string }

// maxEndpoints bounds the endpoints a transport remembers. A gateway
// calls a fixed set of targets; a transport used to reach arbitrary hosts
// works the attributes out for each request past this number.
const maxEndpoints = 256

// endpoints remembers the endpoints of the hosts a transport has called.
type endpoints struct {
	m lazyMap[endpointKey, *endpoint]
	n atomic.Int32
}

// get returns the endpoint of u, whose scheme and host are set.
func (es *endpoints) get(u *url.URL) *endpoint {
	k := endpointKey{u.Scheme, u.Host}
	if e, ok := es.m.load(k); ok {
		return e
	}
	e := newEndpoint(u)
	if es.n.Load() < maxEndpoints && es.n.Add(1) <= maxEndpoints {
		e = es.m.store(k, e)
	}
	return e
}

func newEndpoint(u *url.URL) *endpoint {
	e := &endpoint{prefix: (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()}
	e.attrs[0] = semconv.ServerAddress(u.Hostname())
	e.n = 1
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err == nil {
			e.attrs[1] = semconv.ServerPort(n)
			e.n = 2
		}
	}
	return e
}

// fullURL is the url.full attribute of a request to u: the URL without
// user information, query and fragment, which may carry credentials.
func (e *endpoint) fullURL(u *url.URL) string {
	if u.Opaque != "" {
		return redactedURL(u)
	}
	switch path := u.EscapedPath(); {
	case path == "":
		return e.prefix
	case path[0] != '/':
		return e.prefix + "/" + path
	default:
		return e.prefix + path
	}
}

// redactedURL is u without user information, query and fragment.
func redactedURL(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.ForceQuery, c.Fragment, c.RawFragment = nil, "", false, "", ""
	return c.String()
}
