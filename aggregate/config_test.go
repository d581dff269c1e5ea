package aggregate_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway/aggregate"
)

func TestConfigErrors(t *testing.T) {
	up := backend(t, fixed(200, `{}`))
	tests := []struct {
		name  string
		parts []aggregate.Part
		want  string
	}{
		{"no legs", nil, "no legs"},
		{"nil part", []aggregate.Part{nil, aggregate.Call(up, "/")}, "nil part"},
		{"nil upstream", []aggregate.Part{aggregate.Call(nil, "/")}, "no upstream"},
		{"relative path", []aggregate.Part{aggregate.Call(up, "users")}, "must start with '/'"},
		{"bad literal", []aggregate.Part{aggregate.Call(up, "/a b")}, "must be percent-encoded"},
		{"bad escape", []aggregate.Part{aggregate.Call(up, "/a%zz")}, "percent-escape"},
		{"bad param name", []aggregate.Part{aggregate.Call(up, "/:a%b")}, "no valid name"},
		{"catch-all not last", []aggregate.Part{aggregate.Call(up, "/*a/b")}, "last segment"},
		{"empty segment", []aggregate.Part{aggregate.Call(up, "/a//b")}, "empty path segment"},
		{"unclosed reference", []aggregate.Part{aggregate.Call(up, "/a/{b.c")}, "unclosed"},
		{"reference without field", []aggregate.Part{aggregate.Call(up, "/a/{b}")}, "{leg.field}"},
		{"unknown leg", []aggregate.Part{aggregate.Call(up, "/a/{b.c}")}, "unknown leg"},
		{"later leg", []aggregate.Part{aggregate.Call(up, "/a/{b.c}").Name("a"), aggregate.Call(up, "/").Name("b")}, "not declared before"},
		{"self reference", []aggregate.Part{aggregate.Call(up, "/a/{a.c}").Name("a")}, "not declared before"},
		{"duplicate name", []aggregate.Part{aggregate.Call(up, "/").Name("a"), aggregate.Call(up, "/").Name("a")}, "used twice"},
		{"duplicate shallow group", []aggregate.Part{aggregate.Call(up, "/").Group("g"), aggregate.Call(up, "/").Group("g").Name("h")}, "used twice with the Shallow"},
		{"group is the errors field", []aggregate.Part{aggregate.Call(up, "/").Group("e"), aggregate.ErrorsField("e")}, "ErrorsField"},
		{"bad allow", []aggregate.Part{aggregate.Call(up, "/").Allow("a..b")}, "Allow"},
		{"bad deny", []aggregate.Part{aggregate.Call(up, "/").Deny("")}, "Deny"},
		{"bad target", []aggregate.Part{aggregate.Call(up, "/").Target(".")}, "Target"},
		{"bad rename", []aggregate.Part{aggregate.Call(up, "/").Rename("a", "")}, "Rename"},
		{"bad method", []aggregate.Part{aggregate.Call(up, "/").Method("GE T")}, "method"},
		{"bad header", []aggregate.Part{aggregate.Call(up, "/").PassHeaders("a:b")}, "header"},
		{"bad header value", []aggregate.Part{aggregate.Call(up, "/").SetHeader("A", "x\ny")}, "header"},
		{"bad response header", []aggregate.Part{aggregate.Call(up, "/").ResponseHeaders("")}, "header"},
		{"hop-by-hop request header", []aggregate.Part{aggregate.Call(up, "/").PassHeaders("Authorization", "upgrade")}, "hop-by-hop"},
		{"host request header", []aggregate.Part{aggregate.Call(up, "/").PassHeaders("Host")}, "Host"},
		{"hop-by-hop fixed header", []aggregate.Part{aggregate.Call(up, "/").SetHeader("Connection", "close")}, "hop-by-hop"},
		{"hop-by-hop response header", []aggregate.Part{aggregate.Call(up, "/").ResponseHeaders("Set-Cookie", "connection")}, "hop-by-hop"},
		{"framing response header", []aggregate.Part{aggregate.Call(up, "/").ResponseHeaders("Transfer-Encoding")}, "hop-by-hop"},
		{"content length response header", []aggregate.Part{aggregate.Call(up, "/").ResponseHeaders("Content-Length")}, "Content-Length"},
		{"negative timeout", []aggregate.Part{aggregate.Call(up, "/").Timeout(-1)}, "timeout"},
		{"bad leg limit", []aggregate.Part{aggregate.Call(up, "/").MaxBytes(0)}, "MaxBytes"},
		{"bad leg depth", []aggregate.Part{aggregate.Call(up, "/").MaxDepth(5000)}, "MaxDepth"},
		{"bad limit", []aggregate.Part{aggregate.Call(up, "/"), aggregate.MaxBytes(-1)}, "MaxBytes"},
		{"bad depth", []aggregate.Part{aggregate.Call(up, "/"), aggregate.MaxDepth(0)}, "MaxDepth"},
		{"bad body limit", []aggregate.Part{aggregate.Call(up, "/"), aggregate.MaxBodyBytes(0)}, "MaxBodyBytes"},
		{"bad strategy", []aggregate.Part{aggregate.Call(up, "/"), aggregate.Merge(aggregate.Strategy(9))}, "strategy"},
		{"empty errors field", []aggregate.Part{aggregate.Call(up, "/"), aggregate.ErrorsField("")}, "ErrorsField"},
		{"empty name", []aggregate.Part{aggregate.Call(up, "/").Name("")}, "name"},
		{"empty group", []aggregate.Part{aggregate.Call(up, "/").Group("")}, "group"},
		{"empty pass query", []aggregate.Part{aggregate.Call(up, "/").PassQuery("")}, "PassQuery"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := aggregate.Compile(tt.parts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Compile error %v, want one containing %q", err, tt.want)
			}
			a := aggregate.New(tt.parts...)
			if a.Validate() == nil {
				t.Fatal("Validate returned nil")
			}
			rec, info := serve(a, "/x")
			if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), tt.want) {
				t.Fatalf("status %d, body %s", rec.Code, rec.Body)
			}
			if info.ErrorType == "" {
				t.Fatal("no error type recorded")
			}
		})
	}
}

func TestLegs(t *testing.T) {
	up := backend(t, fixed(200, `{}`))
	a, err := aggregate.Compile(aggregate.Call(up, "/").Group("user"), aggregate.Call(up, "/"), aggregate.Call(up, "/").Name("x").Group("y"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(a.Legs(), ","); got != "user,leg2,x" {
		t.Fatalf("Legs() = %s", got)
	}
	if a.Validate() != nil {
		t.Fatal(a.Validate())
	}
}
