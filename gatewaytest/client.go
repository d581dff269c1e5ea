package gatewaytest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Client calls an http.Handler in process.
type Client struct {
	t testing.TB
	h http.Handler
	// Header is sent with every request (request headers win).
	Header http.Header
	// RemoteAddr is the caller's address as the handler sees it; the
	// default is "192.0.2.1:1234".
	RemoteAddr string
	// Host is the Host header; the default is "example.com".
	Host string
}

// NewClient returns a client for h.
func NewClient(t testing.TB, h http.Handler) *Client {
	return &Client{t: t, h: h, Header: http.Header{}}
}

// Get sends a GET. headers are name/value pairs.
func (c *Client) Get(path string, headers ...string) *Response {
	return c.Request(http.MethodGet, path, "", headers...)
}

// Post sends a POST with a body. headers are name/value pairs.
func (c *Client) Post(path, contentType, body string, headers ...string) *Response {
	return c.Request(http.MethodPost, path, body, append([]string{"Content-Type", contentType}, headers...)...)
}

// Request sends a request with the given method, path (with query), body
// and name/value header pairs.
func (c *Client) Request(method, path, body string, headers ...string) *Response {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	if !strings.HasPrefix(path, "/") {
		c.t.Fatalf("gatewaytest: path %q must start with /", path)
	}
	req := httptest.NewRequest(method, path, rd)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	return c.Do(req)
}

// Do serves req and returns the response.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	for k, vs := range c.Header {
		if _, ok := req.Header[k]; !ok {
			req.Header[k] = vs
		}
	}
	if c.RemoteAddr != "" {
		req.RemoteAddr = c.RemoteAddr
	}
	if c.Host != "" {
		req.Host = c.Host
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return &Response{t: c.t, Status: res.StatusCode, Header: res.Header, Body: body}
}

// HTTPClient returns an *http.Client whose transport serves every request
// with the handler in process, for code that expects a real client. The
// requests carry the client's Header, RemoteAddr and Host like those of
// [Client.Do]; Host defaults to the URL's host.
func (c *Client) HTTPClient() *http.Client {
	return &http.Client{Transport: roundTripper{c}}
}

type roundTripper struct{ c *Client }

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	c := rt.c
	for k, vs := range c.Header {
		if _, ok := in.Header[k]; !ok {
			in.Header[k] = vs
		}
	}
	switch {
	case c.RemoteAddr != "":
		in.RemoteAddr = c.RemoteAddr
	case in.RemoteAddr == "":
		in.RemoteAddr = "192.0.2.1:1234"
	}
	switch {
	case c.Host != "":
		in.Host = c.Host
	case in.Host == "":
		in.Host = req.URL.Host
	}
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rt.c.h.ServeHTTP(rec, in)
	res := rec.Result()
	res.Request = req
	return res, nil
}

// Response is a complete response.
type Response struct {
	t      testing.TB
	Status int
	Header http.Header
	Body   []byte
}

// String returns the body.
func (r *Response) String() string { return string(r.Body) }

// JSON decodes the body into v, failing the test when it is not JSON.
func (r *Response) JSON(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("gatewaytest: response body is not JSON (%v): %s", err, r.Body)
	}
}

// Problem decodes an RFC 9457 problem document, failing the test when the
// response is not one.
func (r *Response) Problem() Problem {
	r.t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		r.t.Fatalf("gatewaytest: Content-Type %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p Problem
	r.JSON(&p)
	return p
}

// ExpectStatus fails the test, showing the body, unless the status is want.
// It returns r for chaining.
func (r *Response) ExpectStatus(want int) *Response {
	r.t.Helper()
	if r.Status != want {
		r.t.Errorf("gatewaytest: status %d, want %d; body %s", r.Status, want, r.Body)
	}
	return r
}

// Problem is a decoded RFC 9457 problem document.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Instance  string `json:"instance"`
	RequestID string `json:"request_id"`
}

// Echo is the JSON an [Upstream] answers with by default.
type Echo struct {
	Method  string      `json:"method"`
	Path    string      `json:"path"`
	Query   string      `json:"query"`
	Host    string      `json:"host"`
	Headers http.Header `json:"headers"`
	Body    string      `json:"body"`
}
