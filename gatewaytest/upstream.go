package gatewaytest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Failure makes a fake upstream misbehave.
type Failure int

const (
	// NoFailure answers normally.
	NoFailure Failure = iota
	// Reset closes the connection abruptly without a response.
	Reset
	// Hang never answers; the request ends when the caller gives up.
	Hang
	// Close sends the headers and part of the body, then closes.
	Close
)

// Reply is a scripted answer of an [Upstream].
type Reply struct {
	// Status is the status code; 0 means 200.
	Status int
	// Body is the response body.
	Body string
	// Header holds response headers.
	Header http.Header
	// Delay is waited before answering (or until the request is canceled).
	Delay time.Duration
	// Fail makes the answer misbehave instead.
	Fail Failure
}

// Recorded is a request as an [Upstream] received it.
type Recorded struct {
	Method     string
	Path       string // decoded path
	RawPath    string // path as sent (escaped)
	RawQuery   string
	Host       string
	Header     http.Header
	Body       []byte
	RemoteAddr string
}

// Upstream is a fake backend served over real loopback HTTP.
type Upstream struct {
	*httptest.Server

	mu       sync.Mutex
	requests []Recorded
	queue    []Reply
	def      *Reply
	handler  http.Handler
}

// NewUpstream starts a fake upstream that is closed when t ends. By default
// it answers 200 with a JSON echo of the request: {"method", "path",
// "query", "host", "headers", "body"}.
func NewUpstream(t testing.TB) *Upstream {
	t.Helper()
	u := &Upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(u.Server.Close)
	return u
}

// Respond makes every later request get resp (after any queued responses).
func (u *Upstream) Respond(status int, body string, headers ...string) {
	r := Reply{Status: status, Body: body, Header: pairs(headers)}
	u.mu.Lock()
	u.def, u.handler = &r, nil
	u.mu.Unlock()
}

// Enqueue adds one-shot responses, served in order before the default.
func (u *Upstream) Enqueue(resps ...Reply) {
	u.mu.Lock()
	u.queue = append(u.queue, resps...)
	u.mu.Unlock()
}

// Handle makes h answer every later request (after any queued responses).
// Requests are still recorded.
func (u *Upstream) Handle(h http.Handler) {
	u.mu.Lock()
	u.handler, u.def = h, nil
	u.mu.Unlock()
}

// Requests returns a copy of the requests received so far.
func (u *Upstream) Requests() []Recorded {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]Recorded(nil), u.requests...)
}

// Count returns how many requests were received.
func (u *Upstream) Count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.requests)
}

// Last returns the most recent request; ok is false when there was none.
func (u *Upstream) Last() (rec Recorded, ok bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.requests) == 0 {
		return Recorded{}, false
	}
	return u.requests[len(u.requests)-1], true
}

func (u *Upstream) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	u.mu.Lock()
	u.requests = append(u.requests, Recorded{
		Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
		Host: r.Host, Header: r.Header.Clone(), Body: body, RemoteAddr: r.RemoteAddr,
	})
	var resp *Reply
	if len(u.queue) > 0 {
		resp = &u.queue[0]
		u.queue = u.queue[1:]
	} else if u.def != nil {
		resp = u.def
	}
	h := u.handler
	u.mu.Unlock()
	switch {
	case resp != nil:
		answer(w, r, *resp)
	case h != nil:
		h.ServeHTTP(w, r)
	default:
		echo(w, r, body)
	}
}

func answer(w http.ResponseWriter, r *http.Request, resp Reply) {
	if resp.Delay > 0 {
		select {
		case <-time.After(resp.Delay):
		case <-r.Context().Done():
			return
		}
	}
	switch resp.Fail {
	case Reset:
		panic(http.ErrAbortHandler)
	case Hang:
		<-r.Context().Done()
		return
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	if resp.Fail == Close {
		w.Header().Set("Content-Length", strconv.Itoa(len(resp.Body)+100))
		w.WriteHeader(status)
		_, _ = io.WriteString(w, resp.Body[:len(resp.Body)/2])
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, resp.Body)
}

func echo(w http.ResponseWriter, r *http.Request, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery,
		"host": r.Host, "headers": r.Header, "body": string(body),
	})
}

func pairs(kv []string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}
