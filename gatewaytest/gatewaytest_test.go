package gatewaytest_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/gatewaytest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestUpstreamEchoAndRecord(t *testing.T) {
	up := gatewaytest.NewUpstream(t)
	res, err := http.Post(up.URL+"/a%20b?x=1", "text/plain", strings.NewReader("hi"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(body), `"path":"/a b"`) || !strings.Contains(string(body), `"body":"hi"`) {
		t.Fatalf("echo %s", body)
	}
	rec, ok := up.Last()
	if !ok || up.Count() != 1 || rec.Method != "POST" || rec.RawPath != "/a%20b" || rec.RawQuery != "x=1" || string(rec.Body) != "hi" {
		t.Fatalf("recorded %+v", rec)
	}
}

func TestUpstreamScript(t *testing.T) {
	up := gatewaytest.NewUpstream(t)
	up.Respond(201, "default", "X-A", "1")
	up.Enqueue(gatewaytest.Reply{Status: 503, Body: "first"}, gatewaytest.Reply{Body: "second"})
	var got []string
	for range 3 {
		res, err := http.Get(up.URL)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got = append(got, res.Status[:3]+" "+string(b)+" "+res.Header.Get("X-A"))
	}
	if strings.Join(got, "|") != "503 first |200 second |201 default 1" {
		t.Fatalf("got %q", got)
	}
}

func TestUpstreamFailures(t *testing.T) {
	up := gatewaytest.NewUpstream(t)
	client := &http.Client{}
	defer client.CloseIdleConnections()
	for _, tt := range []struct {
		name  string
		reply gatewaytest.Reply
	}{
		{"reset", gatewaytest.Reply{Fail: gatewaytest.Reset}},
		{"close", gatewaytest.Reply{Fail: gatewaytest.Close, Body: "partial body"}},
		{"hang", gatewaytest.Reply{Fail: gatewaytest.Hang}},
		{"delay", gatewaytest.Reply{Delay: time.Hour}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			up.Enqueue(tt.reply)
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", up.URL, nil)
			res, err := client.Do(req)
			if err == nil {
				_, err = io.ReadAll(res.Body)
				res.Body.Close()
			}
			if err == nil {
				t.Fatal("request succeeded")
			}
		})
	}
}

func TestClient(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/problem" {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(418)
			_, _ = io.WriteString(w, `{"status":418,"title":"teapot","request_id":"r1"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"path":"`+r.URL.Path+`","remote":"`+r.RemoteAddr+`","h":"`+r.Header.Get("X-T")+`"}`)
	})
	c := gatewaytest.NewClient(t, h)
	c.RemoteAddr = "10.0.0.1:5"
	c.Header.Set("X-T", "default")
	var v map[string]string
	c.Get("/x").ExpectStatus(200).JSON(&v)
	if v["path"] != "/x" || v["remote"] != "10.0.0.1:5" || v["h"] != "default" {
		t.Fatalf("got %v", v)
	}
	c.Get("/x", "X-T", "mine").JSON(&v)
	if v["h"] != "mine" {
		t.Fatalf("request header lost: %v", v)
	}
	if p := c.Get("/problem").Problem(); p.Status != 418 || p.RequestID != "r1" {
		t.Fatalf("problem %+v", p)
	}
	res, err := c.HTTPClient().Get("http://example.com/via-client")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), `"path":"/via-client"`) {
		t.Fatalf("HTTPClient body %s", b)
	}
}
