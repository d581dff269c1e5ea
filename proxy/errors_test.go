package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

// closedPort returns the URL of a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// hangingUpstream never answers; its handlers return when the proxy gives up.
func hangingUpstream(t *testing.T) *httptest.Server {
	return handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name       string
		target     func(t *testing.T) string
		tmpl       string
		info       *reqctx.Info
		prepare    func(t *testing.T, w http.ResponseWriter, r *http.Request) *http.Request
		wantStatus int
	}{
		{
			name:       "connection refused is 502",
			target:     closedPort,
			wantStatus: http.StatusBadGateway,
		},
		{
			name:   "deadline against a hanging upstream is 504",
			target: func(t *testing.T) string { return hangingUpstream(t).URL },
			prepare: func(t *testing.T, _ http.ResponseWriter, r *http.Request) *http.Request {
				ctx, cancel := context.WithTimeout(r.Context(), 50*time.Millisecond)
				t.Cleanup(cancel)
				return r.WithContext(ctx)
			},
			wantStatus: http.StatusGatewayTimeout,
		},
		{
			name:   "body over the limit is 413",
			target: func(t *testing.T) string { return echoUpstream(t, "u").URL },
			prepare: func(t *testing.T, w http.ResponseWriter, r *http.Request) *http.Request {
				body := strings.Repeat("x", 1<<20)
				r.Body = http.MaxBytesReader(w, nopCloser{strings.NewReader(body)}, 1024)
				r.ContentLength = int64(len(body))
				r.Method = http.MethodPost
				return r
			},
			wantStatus: http.StatusRequestEntityTooLarge,
		},
		{
			name:       "unresolvable stage variable is 500",
			target:     func(*testing.T) string { return "http://${stageVariables.usersHost}" },
			info:       &reqctx.Info{StageVars: map[string]string{"other": "x"}},
			wantStatus: http.StatusInternalServerError,
		},
		{
			name:       "stage variable resolving to a bad URL is 500",
			target:     func(*testing.T) string { return "${stageVariables.url}" },
			info:       &reqctx.Info{StageVars: map[string]string{"url": "ftp://files"}},
			wantStatus: http.StatusInternalServerError,
		},
		{
			name:       "missing route parameter is 500",
			target:     func(t *testing.T) string { return echoUpstream(t, "u").URL },
			tmpl:       "/users/:id",
			wantStatus: http.StatusInternalServerError,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := tt.target(t)
			p := mustProxy(t, target, tt.tmpl, nil)
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "/x", nil)
			if tt.info != nil {
				req = req.WithContext(reqctx.With(req.Context(), tt.info))
			}
			if tt.prepare != nil {
				req = tt.prepare(t, rec, req)
			}
			p.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != problem.ContentType {
				t.Fatalf("Content-Type %q", ct)
			}
			var doc map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			body := rec.Body.String()
			for _, leak := range []string{"127.0.0.1", "dial", "refused", "stageVariables", "ftp", "context"} {
				if strings.Contains(body, leak) {
					t.Errorf("problem body leaks %q: %s", leak, body)
				}
			}
		})
	}
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

// silentWriter fails the test when anything is written to it.
type silentWriter struct {
	t      *testing.T
	header http.Header
}

func (w *silentWriter) Header() http.Header { return w.header }
func (w *silentWriter) Write(p []byte) (int, error) {
	w.t.Errorf("wrote %q to a client that went away", p)
	return len(p), nil
}
func (w *silentWriter) WriteHeader(code int) {
	w.t.Errorf("wrote status %d to a client that went away", code)
}

func TestClientGoneWritesNothing(t *testing.T) {
	started := make(chan struct{})
	up := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	})
	p := mustProxy(t, up.URL, "", nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	req := httptest.NewRequest("GET", "/x", nil).WithContext(ctx)
	p.ServeHTTP(&silentWriter{t: t, header: http.Header{}}, req)
}

func TestErrorHandlerOptions(t *testing.T) {
	errVeto := errors.New("vetoed")
	up := echoUpstream(t, "u")
	tests := []struct {
		name       string
		opts       []Option
		wantStatus int
		wantBody   string
	}{
		{
			name: "problem from ModifyResponse",
			opts: []Option{ModifyResponse(func(*http.Response) error {
				return problem.New(http.StatusForbidden, "Not for you.")
			})},
			wantStatus: http.StatusForbidden,
			wantBody:   "Not for you.",
		},
		{
			name:       "plain error from ModifyResponse is 502",
			opts:       []Option{ModifyResponse(func(*http.Response) error { return errVeto })},
			wantStatus: http.StatusBadGateway,
		},
		{
			name: "custom error handler",
			opts: []Option{
				ModifyResponse(func(*http.Response) error { return errVeto }),
				ErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
					if !errors.Is(err, errVeto) {
						t.Errorf("handler got %v", err)
					}
					w.WriteHeader(http.StatusTeapot)
					_, _ = w.Write([]byte("custom"))
				}),
			},
			wantStatus: http.StatusTeapot,
			wantBody:   "custom",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustProxy(t, up.URL, "", nil, tt.opts...)
			rec := httptest.NewRecorder()
			p.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
			if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Fatalf("got %d %q, want %d with %q", rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
			if strings.Contains(rec.Body.String(), "vetoed") {
				t.Fatalf("body leaks the cause: %s", rec.Body)
			}
		})
	}
}

func TestGatewayErrorHandlerIsUsed(t *testing.T) {
	var got error
	info := &reqctx.Info{ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		w.WriteHeader(599)
	}}
	p := mustProxy(t, closedPort(t), "", nil)
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil).WithContext(reqctx.With(context.Background(), info)))
	if rec.Code != 599 || problem.From(got).Status != http.StatusBadGateway {
		t.Fatalf("status %d, error %v", rec.Code, got)
	}
}
