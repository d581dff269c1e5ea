package urlesc

import (
	"net/url"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestAppend(t *testing.T) {
	for _, c := range []struct {
		in      string
		class   Class
		want    string
		escaped bool
	}{
		{"abc-._~", Keep, "abc-._~", false},
		{"a b/c?d", Keep, "a%20b%2Fc%3Fd", true},
		{"$&+=:@", Keep, "$&+=:@", false},
		{"$&+=:@", QueryKeep, "%24%26%2B%3D%3A%40", true},
		{";,", Keep, "%3B%2C", true},
		{"é", Keep, "%C3%A9", true},
		{"", Keep, "", false},
	} {
		got, escaped := Append([]byte("x"), c.in, c.class)
		if string(got) != "x"+c.want || escaped != c.escaped {
			t.Errorf("Append(%q, %d) = %q, %v; want %q, %v", c.in, c.class, got[1:], escaped, c.want, c.escaped)
		}
		gotB, _ := Append(nil, []byte(c.in), c.class)
		if string(gotB) != c.want {
			t.Errorf("Append([]byte(%q)) = %q, want %q", c.in, gotB, c.want)
		}
	}
}

func TestValidLiteral(t *testing.T) {
	for _, c := range []struct {
		in    string
		class Class
		bad   byte
		ok    bool
	}{
		{"users", PathLiteral, 0, true},
		{"a%2Fb", PathLiteral, 0, true},
		{"a%2", PathLiteral, '%', false},
		{"a%zz", PathLiteral, '%', false},
		{"a b", PathLiteral, ' ', false},
		{"a?b", PathLiteral, '?', false},
		{"a?b/c", QueryLiteral, 0, true},
		{"a#b", QueryLiteral, '#', false},
	} {
		bad, ok := ValidLiteral(c.in, c.class)
		if bad != c.bad || ok != c.ok {
			t.Errorf("ValidLiteral(%q, %d) = %q, %v; want %q, %v", c.in, c.class, bad, ok, c.bad, c.ok)
		}
	}
}

func TestValidName(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"id", true}, {"user-id", true}, {"rest.path", true}, {"_x9", true},
		{"", false}, {"a b", false}, {"a/b", false}, {"a:b", false}, {"a*b", false},
		{"a?b", false}, {"a#b", false}, {"a&b", false}, {"a%b", false}, {"a=b", false},
		{"a{b", false}, {"a}b", false}, {"é", false}, {"a\x7f", false},
	} {
		if got := ValidName(c.name); got != c.ok {
			t.Errorf("ValidName(%q) = %v, want %v", c.name, got, c.ok)
		}
	}
}

// FuzzAppend checks that an escaped value decodes to itself and keeps
// nothing outside its class.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "a b", "a/b?c#d", "%zz", "\xff\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, class := range []Class{Keep, QueryKeep} {
			out, _ := Append(nil, s, class)
			for i := 0; i < len(out); i++ {
				if c := out[i]; c != '%' && !In(c, class) {
					t.Fatalf("Append(%q) kept %q", s, c)
				}
			}
			back, err := url.PathUnescape(string(out))
			if err != nil || back != s {
				t.Fatalf("Append(%q) = %q, which decodes to %q (%v)", s, out, back, err)
			}
			if _, ok := ValidLiteral(string(out), PathLiteral|QueryLiteral); !ok {
				t.Fatalf("Append(%q) = %q is not a valid literal", s, out)
			}
		}
	})
}
