package cache

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
)

// bufPool holds the buffers that collect response bodies on a miss.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// recorder is the ResponseWriter of the upstream call on a miss. While the
// response may be stored it collects it in memory; as soon as it cannot be
// (the header forbids it, the body outgrows the entry limit, or the handler
// flushes) it writes what it has to the client and passes the rest through.
type recorder struct {
	w      http.ResponseWriter
	h      *handler
	r      *http.Request // the client's request, for the storage rules
	key    string
	flight *flight     // landed with nil when the response is passed through
	header http.Header // the handler's header map
	frozen http.Header // its copy taken when the status was written
	status int
	plan   plan
	buf    *bytes.Buffer
	passed bool
}

func newRecorder(w http.ResponseWriter, h *handler, r *http.Request, key string, f *flight) *recorder {
	return &recorder{w: w, h: h, r: r, key: key, flight: f, header: make(http.Header)}
}

// Header returns the header map the handler fills.
func (rec *recorder) Header() http.Header {
	if rec.passed {
		return rec.w.Header()
	}
	return rec.header
}

// WriteHeader decides, from the status and header, whether the response may
// be stored. Informational statuses are dropped while collecting.
func (rec *recorder) WriteHeader(code int) {
	if rec.passed {
		rec.w.WriteHeader(code)
		return
	}
	if rec.status != 0 || code < 200 {
		return
	}
	rec.status = code
	// Later changes to the header map must not reach the stored entry,
	// as they would not reach a client either.
	rec.frozen = rec.header.Clone()
	rec.plan = rec.h.planFor(rec.r, code, rec.frozen, rec.h.c.now())
	if !rec.plan.store || declaredTooLarge(rec.frozen, rec.h.cfg.maxEntry) {
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

// Write collects p, or passes it through once the response is not stored.
func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.WriteHeader(http.StatusOK)
	}
	if rec.passed {
		return rec.w.Write(p)
	}
	if rec.buf.Len()+len(p) > rec.h.cfg.maxEntry {
		rec.pass()
		return rec.w.Write(p)
	}
	return rec.buf.Write(p)
}

// Flush means the handler streams: the response is passed through.
func (rec *recorder) Flush() { _ = rec.FlushError() }

// FlushError passes the response through and flushes it to the client.
func (rec *recorder) FlushError() error {
	if rec.status == 0 {
		rec.WriteHeader(http.StatusOK)
	}
	if !rec.passed {
		rec.pass()
	}
	return http.NewResponseController(rec.w).Flush()
}

// Unwrap returns the client's writer, for http.ResponseController.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.w }

// pass writes the header and what was collected to the client and turns
// the recorder into a pass-through.
func (rec *recorder) pass() {
	rec.passed = true
	if rec.flight != nil {
		rec.h.c.flights.land(rec.key, rec.flight, nil)
	}
	h := rec.w.Header()
	for k, v := range rec.frozen {
		h[k] = v
	}
	h[HeaderXCache] = valueMiss
	rec.w.WriteHeader(rec.status)
	if rec.buf != nil {
		_, _ = rec.w.Write(rec.buf.Bytes())
		rec.release()
	}
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
