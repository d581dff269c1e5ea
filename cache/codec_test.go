package cache

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestNewEntryKeepsOnlyReplayableFields(t *testing.T) {
	stored := time.Unix(1700000000, 0)
	e := NewEntry(200, http.Header{
		"Content-Type":   {"text/plain"},
		"Etag":           {`"v"`},
		"Connection":     {"X-Hop"},
		"X-Hop":          {"1"},
		"Keep-Alive":     {"timeout=5"},
		"Age":            {"9"},
		"Content-Length": {"99"},
		"Set-Cookie":     {"a=b"},
		"X-Cache":        {"Hit"},
		"X-Request-Id":   {"r1"},
		"Link":           {"</a>", "</b>"},
	}, []byte("body"), stored, stored.Add(time.Minute))
	h := e.Header()
	for _, name := range []string{"Connection", "X-Hop", "Keep-Alive", "Age", "Content-Length", "Set-Cookie", "X-Cache", "X-Request-Id"} {
		if _, ok := h[name]; ok {
			t.Errorf("%s kept", name)
		}
	}
	if len(h) != 3 || len(h["Link"]) != 2 || h.Get("Etag") != `"v"` {
		t.Errorf("header %v", h)
	}
	h.Set("Etag", "changed")
	if e.Header().Get("Etag") != `"v"` {
		t.Error("Header returns the entry's own map")
	}
	if e.Status() != 200 || string(e.Body()) != "body" || !e.Stored().Equal(stored) || !e.Expires().Equal(stored.Add(time.Minute)) {
		t.Errorf("accessors: %d %q %v %v", e.Status(), e.Body(), e.Stored(), e.Expires())
	}
	if !e.Fresh(stored.Add(59*time.Second)) || e.Fresh(stored.Add(time.Minute)) {
		t.Error("Fresh")
	}
}

func TestEntryEncoding(t *testing.T) {
	stored := time.Unix(1700000000, 5)
	e := buildEntry(301, http.Header{"Location": {"/b"}, "Etag": {`W/"1"`}}, []byte("moved"), stored, stored.Add(time.Hour), 7,
		[]field{{name: "Accept-Language", values: []string{"de", "fr"}}, {name: "X-Absent"}})
	b, err := e.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var d Entry
	if err := d.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if d.Status() != 301 || string(d.Body()) != "moved" || d.Header().Get("Location") != "/b" || d.etag != `W/"1"` ||
		!d.Stored().Equal(stored) || !d.Expires().Equal(e.Expires()) || d.initialAge != 7 || d.Size() != e.Size() {
		t.Fatalf("decoded %+v", &d)
	}
	r, _ := http.NewRequest("GET", "/", nil)
	r.Header["Accept-Language"] = []string{"de", "fr"}
	if !d.varyMatches(r) {
		t.Error("decoded vary does not match")
	}
	// Every truncation and a trailing byte are corrupt, never a panic.
	for i := range len(b) {
		if err := new(Entry).UnmarshalBinary(b[:i]); !errors.Is(err, ErrCorruptEntry) {
			t.Fatalf("prefix of %d bytes: %v", i, err)
		}
	}
	if err := new(Entry).UnmarshalBinary(append(b, 0)); !errors.Is(err, ErrCorruptEntry) {
		t.Fatalf("trailing byte: %v", err)
	}
	// A header value that could split a response is refused.
	bad := buildEntry(200, http.Header{"X-A": {"ok"}}, nil, stored, stored, 0, nil)
	bad.header[0].values[0] = "a\r\nSet-Cookie: x=y"
	bb, _ := bad.MarshalBinary()
	if err := new(Entry).UnmarshalBinary(bb); !errors.Is(err, ErrCorruptEntry) {
		t.Fatalf("CRLF in a value: %v", err)
	}
}

func TestMemoryStoreDelete(t *testing.T) {
	m, err := NewMemoryStore(MemoryStoreConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	_ = m.Set(ctx, "a", memEntry(1), time.Minute)
	_ = m.Set(ctx, "b", memEntry(1), time.Minute)
	if err := m.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if e, _ := m.Get(ctx, "a"); e != nil || m.Len() != 1 || m.Bytes() != memEntry(1).Size()+1 {
		t.Errorf("after Delete: %v, %d entries, %d bytes", e, m.Len(), m.Bytes())
	}
}
