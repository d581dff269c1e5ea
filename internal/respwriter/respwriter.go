// Package respwriter provides the one http.ResponseWriter wrapper that the
// gateway's blocks share: it records the status and the number of body bytes
// written, and implements Unwrap so http.ResponseController (Flush, Hijack,
// deadlines) reaches the underlying writer through it.
package respwriter

import (
	"net/http"
)

// Writer wraps an http.ResponseWriter and records what was written.
type Writer struct {
	http.ResponseWriter
	status  int
	written int64
}

// Wrap returns a Writer around w. If w already is a *Writer it is returned as
// is, so nested blocks share one record.
func Wrap(w http.ResponseWriter) *Writer {
	if rw, ok := w.(*Writer); ok {
		return rw
	}
	return &Writer{ResponseWriter: w}
}

// Reset points rw at w and clears the record, for reuse from a pool.
func (rw *Writer) Reset(w http.ResponseWriter) {
	*rw = Writer{ResponseWriter: w}
}

// WriteHeader records the status and forwards it. Informational (1xx)
// statuses are forwarded without being recorded as the final status.
func (rw *Writer) WriteHeader(code int) {
	if rw.status == 0 && code >= 200 {
		rw.status = code
	}
	rw.ResponseWriter.WriteHeader(code)
}

// Write records the bytes and forwards them; the first Write implies 200.
func (rw *Writer) Write(p []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	n, err := rw.ResponseWriter.Write(p)
	rw.written += int64(n)
	return n, err
}

// Flush sends buffered data to the client, when the underlying writer can.
// A flush before any write sends a 200 header, so the response counts as
// started from then on.
func (rw *Writer) Flush() {
	if http.NewResponseController(rw.ResponseWriter).Flush() == nil && rw.status == 0 {
		rw.status = http.StatusOK
	}
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (rw *Writer) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// Status returns the final status written, or 0 when nothing was written yet.
func (rw *Writer) Status() int { return rw.status }

// Written returns the number of body bytes written.
func (rw *Writer) Written() int64 { return rw.written }

// Started reports whether the response header was sent.
func (rw *Writer) Started() bool { return rw.status != 0 }
