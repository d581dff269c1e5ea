package redisstore

import "testing"

func TestHashTag(t *testing.T) {
	for _, tt := range []struct {
		key, tag  string
		ok, empty bool
	}{
		{"plain", "", false, false},
		{"a:{b}:c", "b", true, false},
		{"a:{}:c", "", false, true},
		{"a:{}{b}", "", false, true},
		{"a{", "", false, false},
		{"a}{b}", "b", true, false},
		{"{k}}", "k", true, false},
	} {
		tag, ok := hashTag(tt.key)
		if tag != tt.tag || ok != tt.ok || emptyHashTag(tt.key) != tt.empty {
			t.Errorf("%q: hashTag %q %v, emptyHashTag %v", tt.key, tag, ok, emptyHashTag(tt.key))
		}
	}
}
