package proxy

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// NewTransport returns a new transport tuned for a gateway: a keep-alive pool
// large enough for many concurrent requests per upstream (Go's default keeps
// only 2 idle connections per host, so a busy proxy would keep reconnecting),
// bounded dial and TLS handshake times, idle connections closed after 90
// seconds, HTTP/2 to TLS upstreams, and no transparent compression: the
// client's Accept-Encoding is forwarded and the upstream's encoding passed
// back untouched. Environment proxy settings are not used.
func NewTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
	}
}

var defaultTransport = sync.OnceValue(NewTransport)

// DefaultTransport returns the process-wide transport shared by every
// upstream without a transport of its own. It is built by [NewTransport] on
// first use; http.DefaultTransport is left alone.
func DefaultTransport() *http.Transport { return defaultTransport() }

// bufSize is the size of the buffers response bodies are copied through.
const bufSize = 32 << 10

// bufferPool recycles copy buffers between responses. It stores array
// pointers so that neither Get nor Put allocates.
type bufferPool struct{ p sync.Pool }

var copyBuffers = &bufferPool{p: sync.Pool{New: func() any { return new([bufSize]byte) }}}

func (b *bufferPool) Get() []byte { return b.p.Get().(*[bufSize]byte)[:] }

func (b *bufferPool) Put(buf []byte) {
	if cap(buf) >= bufSize {
		b.p.Put((*[bufSize]byte)(buf[:bufSize]))
	}
}
