package cache

import (
	"bytes"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// bufPool holds the buffers that collect response bodies on a miss.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// recorder is the ResponseWriter of the upstream call on a miss. While the
// response may be stored it collects it in memory. When the handler
// flushes (as a reverse proxy does after every write of a response without
// Content-Length), what was collected goes to the client and the rest is
// both written through and collected, so that the response can still be
// stored once complete. As soon as the response cannot be stored (the header
// forbids it, it is an event stream, the body outgrows the entry limit, or
// a write to the client fails) it is passed through and nothing more is
// kept.
type recorder struct {
	w        http.ResponseWriter
	h        *handler
	r        *http.Request // the client's request, for the storage rules
	key      string
	flight   *flight     // landed with nil when the response is passed through
	header   http.Header // the handler's header map
	frozen   http.Header // its copy taken when the status was written
	status   int
	plan     plan
	buf      *bytes.Buffer
	streamed bool // the header and the body so far went to the client
	passed   bool // the response is not stored: everything goes through
	stale    *Entry
	failed   bool // a 5xx error, discarded: the client gets stale instead
}

func newRecorder(w http.ResponseWriter, h *handler, r *http.Request, key string, f *flight) *recorder {
	return &recorder{w: w, h: h, r: r, key: key, flight: f, header: make(http.Header)}
}

// Header returns the header map the handler fills.
func (rec *recorder) Header() http.Header {
	if rec.passed || rec.streamed {
		return rec.w.Header()
	}
	return rec.header
}

// WriteHeader decides, from the status and header, whether the response may
// be stored. Informational statuses are dropped while collecting.
func (rec *recorder) WriteHeader(code int) {
	if rec.passed || rec.streamed {
		rec.w.WriteHeader(code)
		return
	}
	if rec.status != 0 || code < 200 {
		return
	}
	rec.status = code
	if code >= 500 && rec.stale != nil {
		rec.failed = true
		return
	}
	// Later changes to the header map must not reach the stored entry,
	// as they would not reach a client either.
	rec.frozen = rec.header.Clone()
	rec.plan = rec.h.planFor(rec.r, code, rec.frozen, rec.h.c.now())
	if !rec.plan.store || declaredTooLarge(rec.frozen, rec.h.cfg.maxEntry) || eventStream(rec.frozen) || hasTrailers(rec.frozen) {
		rec.pass()
		return
	}
	rec.buf = bufPool.Get().(*bytes.Buffer)
}

// declaredTooLarge reports whether a Content-Length exceeds max.
func declaredTooLarge(h http.Header, max int) bool {
	n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	return err == nil && n > int64(max)
}

// eventStream reports whether the response is a stream of server-sent
// events, which is never complete enough to store.
func eventStream(h http.Header) bool {
	ct, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return ct == "text/event-stream"
}

// hasTrailers reports whether the response announces trailers, which an
// entry cannot replay: passed through, they reach the client.
func hasTrailers(h http.Header) bool {
	if _, ok := h["Trailer"]; ok {
		return true
	}
	for k := range h {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			return true
		}
	}
	return false
}

// Write collects p, writes it through, or both.
func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.WriteHeader(http.StatusOK)
	}
	switch {
	case rec.failed:
		return len(p), nil
	case rec.passed:
		return rec.w.Write(p)
	case rec.buf.Len()+len(p) > rec.h.cfg.maxEntry:
		rec.pass()
		return rec.w.Write(p)
	case rec.streamed:
		n, err := rec.w.Write(p)
		rec.buf.Write(p[:n])
		if err != nil {
			// The client has gone; what it missed cannot be stored.
			rec.pass()
		}
		return n, err
	}
	return rec.buf.Write(p)
}

// Flush sends what was written so far to the client.
func (rec *recorder) Flush() { _ = rec.FlushError() }

// FlushError sends what was written so far to the client and flushes it.
func (rec *recorder) FlushError() error {
	if rec.status == 0 {
		rec.WriteHeader(http.StatusOK)
	}
	if rec.failed {
		return nil
	}
	if !rec.passed && !rec.streamed {
		rec.streamed = true
		rec.writeHeader()
		if rec.buf.Len() > 0 {
			if _, err := rec.w.Write(rec.buf.Bytes()); err != nil {
				rec.pass()
				return err
			}
		}
	}
	return http.NewResponseController(rec.w).Flush()
}

// Unwrap returns the client's writer, for http.ResponseController.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.w }

// writeHeader sends the frozen header and the status to the client.
func (rec *recorder) writeHeader() {
	h := rec.w.Header()
	for k, v := range rec.frozen {
		if old := h[k]; len(old) > 0 {
			v = append(old[:len(old):len(old)], v...)
		}
		h[k] = v
	}
	h[HeaderXCache] = valueMiss
	rec.w.WriteHeader(rec.status)
}

// pass gives up storing the response: it lands the flight with nothing,
// so that waiting requests make their own calls, writes the header and
// what was collected to the client unless they went already, and turns the
// recorder into a pass-through.
func (rec *recorder) pass() {
	if rec.passed {
		return
	}
	rec.passed = true
	if rec.flight != nil {
		rec.h.c.flights.land(rec.key, rec.flight, nil, false)
	}
	if !rec.streamed {
		rec.writeHeader()
		if rec.buf != nil {
			_, _ = rec.w.Write(rec.buf.Bytes())
		}
	}
	rec.release()
}

// complete reports whether the collected body is as long as the declared
// Content-Length, if any: a handler may return early after its upstream
// failed mid-body.
func (rec *recorder) complete() bool {
	cl, ok := rec.frozen["Content-Length"]
	if !ok || len(cl) != 1 {
		return true
	}
	n, err := strconv.ParseInt(cl[0], 10, 64)
	return err == nil && n == int64(rec.buf.Len())
}

// body returns a copy of the collected body that the entry can own.
func (rec *recorder) body() []byte {
	if rec.buf == nil || rec.buf.Len() == 0 {
		return nil
	}
	return bytes.Clone(rec.buf.Bytes())
}

// maxPooledBuffer is the largest buffer kept for reuse; bigger ones are
// left to the garbage collector rather than held by the pool.
const maxPooledBuffer = 64 << 10

// release returns the buffer to the pool.
func (rec *recorder) release() {
	if rec.buf != nil {
		if rec.buf.Cap() <= maxPooledBuffer {
			rec.buf.Reset()
			bufPool.Put(rec.buf)
		}
		rec.buf = nil
	}
}
