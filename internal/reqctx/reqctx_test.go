package reqctx

import (
	"context"
	"testing"
)

func TestParamsGet(t *testing.T) {
	ps := Params{{"id", "42"}, {"rest", "a/b"}}
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"id", "42", true},
		{"rest", "a/b", true},
		{"missing", "", false},
	}
	for _, tt := range tests {
		got, ok := ps.Get(tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Get(%q) = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
		if ps.ByName(tt.name) != tt.want {
			t.Errorf("ByName(%q) = %q", tt.name, ps.ByName(tt.name))
		}
	}
}

func TestWithFrom(t *testing.T) {
	if From(context.Background()) != nil {
		t.Fatal("empty context must carry no info")
	}
	info := &Info{RequestID: "abc"}
	if got := From(With(context.Background(), info)); got != info {
		t.Fatalf("From = %v, want %v", got, info)
	}
}

func TestWithPrincipalRecordsInInfo(t *testing.T) {
	info := &Info{}
	ctx := With(context.Background(), info)
	p := &Principal{ID: "alice", KeyID: "k1"}
	got := PrincipalFrom(WithPrincipal(ctx, p))
	if got != p || info.Principal != p {
		t.Fatalf("PrincipalFrom = %v, Info.Principal = %v; want %v", got, info.Principal, p)
	}
	if PrincipalFrom(WithPrincipal(context.Background(), p)) != p {
		t.Fatal("WithPrincipal without an Info must still carry the principal")
	}
}
