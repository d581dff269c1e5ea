package aggregate_test

import (
	"slices"
	"testing"

	"github.com/gatewaykit/gateway/aggregate"
)

func TestParams(t *testing.T) {
	up := backend(t, fixed(200, `{}`))
	tests := []struct {
		name string
		legs []aggregate.Part
		want []string
	}{
		{"none", []aggregate.Part{aggregate.Call(up, "/a")}, nil},
		{"path and query, first use order, once each", []aggregate.Part{
			aggregate.Call(up, "/u/:id?org=:org").Name("u"),
			aggregate.Call(up, "/o/:org/:id/{u.x}/*rest"),
		}, []string{"id", "org", "rest"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := aggregate.Compile(tt.legs...)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Params(); !slices.Equal(got, tt.want) {
				t.Errorf("Params() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestParamsOfBadTemplate checks that an aggregate whose template did not
// parse still lists parameters without failing, leaving the report of the
// mistake to Validate.
func TestParamsOfBadTemplate(t *testing.T) {
	up := backend(t, fixed(200, `{}`))
	a := aggregate.New(aggregate.Call(up, "users/:id"), aggregate.Call(up, "/ok/:x"))
	if a.Validate() == nil {
		t.Fatal("a relative template was accepted")
	}
	_ = a.Params()
}
