package respwriter

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWriter(t *testing.T) {
	tests := []struct {
		name        string
		do          func(w http.ResponseWriter)
		wantStatus  int
		wantWritten int64
	}{
		{"nothing", func(http.ResponseWriter) {}, 0, 0},
		{"implicit 200", func(w http.ResponseWriter) { _, _ = w.Write([]byte("hello")) }, 200, 5},
		{"explicit", func(w http.ResponseWriter) { w.WriteHeader(404); _, _ = w.Write([]byte("x")) }, 404, 1},
		{"informational first", func(w http.ResponseWriter) { w.WriteHeader(103); w.WriteHeader(201) }, 201, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rw := Wrap(httptest.NewRecorder())
			tt.do(rw)
			if rw.Status() != tt.wantStatus || rw.Written() != tt.wantWritten || rw.Started() != (tt.wantStatus != 0) {
				t.Fatalf("status %d written %d", rw.Status(), rw.Written())
			}
		})
	}
}

func TestWrapIdempotentAndFlush(t *testing.T) {
	rec := httptest.NewRecorder()
	rw := Wrap(rec)
	if Wrap(rw) != rw {
		t.Fatal("Wrap must reuse an existing Writer")
	}
	if err := http.NewResponseController(rw).Flush(); err != nil {
		t.Fatalf("Flush through Unwrap: %v", err)
	}
	if !rec.Flushed {
		t.Fatal("recorder not flushed")
	}
	rw.Reset(httptest.NewRecorder())
	if rw.Started() {
		t.Fatal("Reset kept state")
	}
}
