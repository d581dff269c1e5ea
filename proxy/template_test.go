package proxy

import (
	"slices"
	"strings"
	"testing"
)

func TestParseTemplateErrors(t *testing.T) {
	tests := []struct{ tmpl, want string }{
		{"users/:id", "must start with '/'"},
		{"/users#frag", "fragment"},
		{"/users//x", "empty path segment"},
		{"/users/:", "no valid name"},
		{"/files/*", "no valid name"},
		{"/files/*rest/more", "must be the last segment"},
		{"/a b", "must be percent-encoded"},
		{"/a%zz", "must be percent-encoded"},
		{"/a/../b", "dot segment"},
		{"/a/%2e/b", "dot segment"},
		{"/o?=1", "without a name"},
		{"/o?:id=1", "cannot be substituted"},
		{"/o?user=:", "no valid parameter name"},
		{"/o?user=a b", "must be percent-encoded"},
	}
	for _, tt := range tests {
		t.Run(tt.tmpl, func(t *testing.T) {
			_, err := parseTemplate(tt.tmpl)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("parseTemplate(%q) = %v, want an error containing %q", tt.tmpl, err, tt.want)
			}
		})
	}
}

func TestTemplateParams(t *testing.T) {
	tests := []struct {
		tmpl string
		want []string
	}{
		{"", nil},
		{"/static", nil},
		{"/internal/users/:id", []string{"id"}},
		{"/a/:x/b/:y/*rest", []string{"x", "y", "rest"}},
		{"/orders?user=:id&kind=:kind&x=1", []string{"id", "kind"}},
		{"/u/:id?again=:id", []string{"id"}},
	}
	for _, tt := range tests {
		tmpl, err := parseTemplate(tt.tmpl)
		if err != nil {
			t.Fatalf("%q: %v", tt.tmpl, err)
		}
		if !slices.Equal(tmpl.names, tt.want) {
			t.Errorf("%q: names %q, want %q", tt.tmpl, tmpl.names, tt.want)
		}
	}
}
