package observe_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/observe"
)

// logBuffer collects JSON log lines; safe for concurrent writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records parses every line as a JSON object.
func (b *logBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, line)
		}
		recs = append(recs, m)
	}
	return recs
}

func newLog(level slog.Level, opts ...observe.LogOption) (*observe.AccessLog, *logBuffer) {
	var buf logBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level}))
	return observe.NewAccessLog(logger, opts...), &buf
}

func TestAccessLogRecords(t *testing.T) {
	l, buf := newLog(slog.LevelInfo)
	clock := newStepClock(5 * time.Millisecond)
	gw, _ := testGateway(t, observe.New(observe.WithAccessLog(l), observe.Clock(clock.Now)).Middleware())
	c := gatewaytest.NewClient(t, gw)
	c.RemoteAddr = "192.0.2.10:5555" // a trusted proxy
	c.Get("/users/42", "X-Request-Id", "req-1", "X-Forwarded-For", "203.0.113.9").ExpectStatus(200)
	c.Get("/me", "X-Request-Id", "req-2", "X-Api-Key", "secret-key-value").ExpectStatus(200)
	c.Get("/limited", "X-Request-Id", "req-3").ExpectStatus(429)
	c.Get("/nope", "X-Request-Id", "req-4").ExpectStatus(404)
	c.Get("/cached/9", "X-Request-Id", "req-5").ExpectStatus(200)
	c.Get("/panic", "X-Request-Id", "req-6").ExpectStatus(500)

	if strings.Contains(buf.buf.String(), "secret-key-value") {
		t.Fatal("the API key itself was logged")
	}
	recs := buf.records(t)
	if len(recs) != 6 {
		t.Fatalf("%d records, want one per request", len(recs))
	}
	byID := map[string]map[string]any{}
	for _, r := range recs {
		byID[r["request_id"].(string)] = r
	}
	tests := []struct {
		id      string
		want    map[string]any
		missing []string
	}{
		{"req-1", map[string]any{
			"level": "INFO", "msg": "request", "stage": "$default", "route": "/users/:id", "method": "GET",
			"path": "/users/42", "status": 200.0, "bytes": 23.0, "latency_us": 5000.0, "upstream": "users",
			"client_ip": "203.0.113.9",
		}, []string{"error_type", "principal", "cache", "rate_limit"}},
		{"req-2", map[string]any{"route": "/me", "principal": "alice", "api_key_id": "key-7"}, []string{"upstream", "integration_latency_us"}},
		{"req-3", map[string]any{"status": 429.0, "error_type": "THROTTLED", "rate_limit": "throttled", "limiter": "per-ip"}, nil},
		{"req-4", map[string]any{"status": 404.0, "route": "unmatched", "error_type": "RESOURCE_NOT_FOUND", "path": "/nope"}, nil},
		{"req-5", map[string]any{"cache": "hit", "route": "/cached/:id"}, nil},
		{"req-6", map[string]any{"level": "ERROR", "status": 500.0, "error_type": "DEFAULT_5XX"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			rec := byID[tt.id]
			if rec == nil {
				t.Fatal("no record")
			}
			for k, v := range tt.want {
				if rec[k] != v {
					t.Errorf("%s = %#v, want %#v", k, rec[k], v)
				}
			}
			for _, k := range tt.missing {
				if _, ok := rec[k]; ok {
					t.Errorf("%s present: %v", k, rec[k])
				}
			}
		})
	}
	if il, ok := byID["req-1"]["integration_latency_us"].(float64); !ok || il <= 0 {
		t.Errorf("integration_latency_us = %v", byID["req-1"]["integration_latency_us"])
	}
	if ts := byID["req-1"]["time"]; ts == nil || !strings.HasPrefix(ts.(string), "2026-01-02T03:04:") {
		t.Errorf("time %v is not from the observer's clock", ts)
	}
}

func TestAccessLogOptions(t *testing.T) {
	tests := []struct {
		name      string
		handlerLv slog.Level
		opts      []observe.LogOption
		paths     []string
		wantRecs  int
		wantKeys  []string
		wantLevel string
	}{
		{"sampling keeps 1 in 3 successes and every error", slog.LevelInfo,
			[]observe.LogOption{observe.SampleSuccesses(3)},
			[]string{"/health", "/health", "/health", "/health", "/health", "/health", "/nope", "/nope"}, 4, nil, ""},
		{"field subset", slog.LevelInfo,
			[]observe.LogOption{observe.Fields(observe.FieldStatus | observe.FieldRoute)},
			[]string{"/health"}, 1, []string{"level", "msg", "route", "status", "time"}, ""},
		{"level below the handler's", slog.LevelInfo,
			[]observe.LogOption{observe.Level(slog.LevelDebug)},
			[]string{"/health", "/nope"}, 0, nil, ""},
		{"custom levels and message", slog.LevelDebug,
			[]observe.LogOption{observe.Level(slog.LevelDebug), observe.ErrorLevel(slog.LevelWarn), observe.Message("access")},
			[]string{"/panic"}, 1, nil, "WARN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, buf := newLog(tt.handlerLv, tt.opts...)
			gw, _ := testGateway(t, l.Middleware())
			c := gatewaytest.NewClient(t, gw)
			for _, p := range tt.paths {
				c.Get(p)
			}
			recs := buf.records(t)
			if len(recs) != tt.wantRecs {
				t.Fatalf("%d records, want %d", len(recs), tt.wantRecs)
			}
			if tt.wantKeys != nil {
				if keys := slices.Sorted(maps.Keys(recs[0])); !slices.Equal(keys, tt.wantKeys) {
					t.Errorf("keys %v, want %v", keys, tt.wantKeys)
				}
			}
			if tt.wantLevel != "" && (recs[0]["level"] != tt.wantLevel || recs[0]["msg"] != "access") {
				t.Errorf("level %v msg %v", recs[0]["level"], recs[0]["msg"])
			}
		})
	}
}
