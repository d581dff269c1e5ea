package aggregate

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		in    string
		depth int
		err   error
		bad   bool
	}{
		{`{}`, 1, nil, false},
		{` [1, -2.5e+3, true, false, null, "x"] `, 1, nil, false},
		{`{"a":{"b":[{"c":"\u00e9\n"}]}}`, 4, nil, false},
		{`{"a":{"b":[{"c":1}]}}`, 3, errDepth, false},
		{`[[[]]]`, 3, nil, false},
		{`[[[[]]]]`, 3, errDepth, false},
		{"\"caf\xe9\"", 1, nil, true},
		{"{\"k\xff\":1}", 1, nil, true},
		{"\"\xed\xa0\x80\"", 1, nil, true}, // an encoded surrogate
		{``, 1, errSyntax, false},
		{`{`, 1, errSyntax, false},
		{`{"a"}`, 1, errSyntax, false},
		{`{"a":1,}`, 1, errSyntax, false},
		{`[1,]`, 1, errSyntax, false},
		{`[1 2]`, 1, errSyntax, false},
		{`{} {}`, 1, errSyntax, false},
		{`01`, 1, errSyntax, false},
		{`1.`, 1, errSyntax, false},
		{`-`, 1, errSyntax, false},
		{`1e`, 1, errSyntax, false},
		{`tru`, 1, errSyntax, false},
		{`"a\x01"`, 1, errSyntax, false},
		{`"\q"`, 1, errSyntax, false},
		{`"\u12G4"`, 1, errSyntax, false},
		{`"unterminated`, 1, errSyntax, false},
		{"\xef\xbb\xbf{}", 1, errSyntax, false}, // a byte order mark
		{`{1:2}`, 1, errSyntax, false},
		{`[}`, 1, errSyntax, false},
		{`{]`, 1, errSyntax, false},
	}
	for _, tt := range tests {
		bad, err := check([]byte(tt.in), tt.depth)
		if err != tt.err || bad != tt.bad {
			t.Errorf("check(%q, %d) = %v, %v; want %v, %v", tt.in, tt.depth, bad, err, tt.bad, tt.err)
		}
	}
}

func TestCheckDeepNestingIsBounded(t *testing.T) {
	deep := strings.Repeat("[", 1<<20) + strings.Repeat("]", 1<<20)
	if _, err := check([]byte(deep), maxDepthLimit); err != errDepth {
		t.Fatalf("err = %v, want errDepth", err)
	}
	ok := strings.Repeat(`{"a":`, maxDepthLimit) + "1" + strings.Repeat("}", maxDepthLimit)
	if _, err := check([]byte(ok), maxDepthLimit); err != nil {
		t.Fatalf("err = %v at the limit", err)
	}
}

func TestRepairUTF8(t *testing.T) {
	in := []byte("{\"a\":\"x\xffy\",\"b\":\"\xe2\x82\xac\"}")
	out, _ := repairUTF8(nil, in, 1<<20)
	if !utf8.Valid(out) || !json.Valid(out) {
		t.Fatalf("repaired %q is not valid", out)
	}
	var v map[string]string
	if err := json.Unmarshal(out, &v); err != nil || v["a"] != "x\uFFFDy" || v["b"] != "€" {
		t.Fatalf("repaired to %q (%v)", v, err)
	}
}

func TestUnescape(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, "plain"},
		{`a\"b\\c\/d`, `a"b\c/d`},
		{`\b\f\n\r\t`, "\b\f\n\r\t"},
		{`\u00e9\u20AC`, "é€"},
		{`\ud83d\ude00`, "😀"},
		{`\ud83dx`, "\uFFFDx"},
		{`\ude00`, "\uFFFD"},
	}
	for _, tt := range tests {
		if got := string(unescape(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("unescape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzCheck compares check with encoding/json on arbitrary input.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{}`, `[1,"a",{"b":null}]`, `{"a":`, `"\ud800"`, "\"\xff\"", `-0.0e-0`, `[[[[1]]]]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		bad, err := check(b, maxDepthLimit)
		if err == errDepth {
			return
		}
		std := json.Valid(b)
		if (err == nil) != std {
			t.Fatalf("check(%q) = %v, json.Valid = %v", b, err, std)
		}
		if err != nil {
			return
		}
		v := b
		if bad {
			v, _ = repairUTF8(nil, b, 1<<30)
		}
		if !utf8.Valid(v) || !json.Valid(v) {
			t.Fatalf("accepted %q but the result %q is not valid UTF-8 JSON", b, v)
		}
		if bad2, err := check(v, maxDepthLimit); err != nil || bad2 {
			t.Fatalf("repaired %q: %v, %v", v, bad2, err)
		}
		tv := trimValue(v)
		if end := skipValue(tv, 0); end != len(tv) {
			t.Fatalf("skipValue(%q) = %d, want %d", tv, end, len(tv))
		}
	})
}

func TestCheckDoesNotAllocate(t *testing.T) {
	doc := []byte(`{"a":[1,2.5,-3e2,"x\u00e9\n",true,false,null],"b":{"c":{"d":"` + strings.Repeat("long text ", 20) + `"}}}`)
	if n := testing.AllocsPerRun(100, func() { _, _ = check(doc, DefaultMaxDepth) }); n != 0 {
		t.Fatalf("check allocates %v times per run", n)
	}
}

// TestSkipPlain checks the 8-byte scan against a byte loop for every byte
// value at every position, alone and after another special byte.
func TestSkipPlain(t *testing.T) {
	naive := func(b []byte, i int) int {
		for i < len(b) && strPlain[b[i]] {
			i++
		}
		return i
	}
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 24; pos++ {
			for _, before := range []int{-1, 0x1f, '"', 0x80} {
				b := []byte(strings.Repeat("a", 24))
				b[pos] = byte(c)
				if before >= 0 && pos > 0 {
					b[pos-1] = byte(before)
				}
				got := skipPlain(b, 0)
				want := naive(b, 0)
				if got > want || got < want && len(b)-got >= 8 {
					t.Fatalf("byte %#x at %d after %#x: skipPlain %d, want %d", c, pos, before, got, want)
				}
				if got < want {
					if n := naive(b, got); n != want {
						t.Fatalf("byte %#x at %d: continuing gives %d, want %d", c, pos, n, want)
					}
				}
			}
		}
	}
}
