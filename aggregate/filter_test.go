package aggregate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func mustFilter(t testing.TB, allow, deny []string, renames [][2]string) *filter {
	t.Helper()
	var f filter
	var err error
	if f.allow, err = buildSelect(allow); err != nil {
		t.Fatal(err)
	}
	if f.deny, err = buildSelect(deny); err != nil {
		t.Fatal(err)
	}
	if f.rename, err = buildRename(renames); err != nil {
		t.Fatal(err)
	}
	return &f
}

func TestFilter(t *testing.T) {
	user := `{"id":1,"name":"Ann","address":{"city":"Oslo","zip":"0150","geo":{"lat":1,"lng":2}},"tags":["a","b"],"orders":[{"id":"o1","total":5,"lines":[{"sku":"x","qty":1}]},{"id":"o2","total":7}]}`
	tests := []struct {
		name    string
		in      string
		allow   []string
		deny    []string
		renames [][2]string
		want    string
	}{
		{"allow top", user, []string{"id", "name"}, nil, nil, `{"id":1,"name":"Ann"}`},
		{"allow nested", user, []string{"address.city", "address.geo.lat"}, nil, nil, `{"address":{"city":"Oslo","geo":{"lat":1}}}`},
		{"allow through array", user, []string{"orders.id"}, nil, nil, `{"orders":[{"id":"o1"},{"id":"o2"}]}`},
		{"allow deep through arrays", user, []string{"orders.lines.sku"}, nil, nil, `{"orders":[{"lines":[{"sku":"x"}]},{}]}`},
		{"allow whole subtree wins", user, []string{"address", "address.city"}, nil, nil, `{"address":{"city":"Oslo","zip":"0150","geo":{"lat":1,"lng":2}}}`},
		{"allow below a scalar drops it", user, []string{"name.first", "tags.x"}, nil, nil, `{"tags":[]}`},
		{"allow missing", user, []string{"nope"}, nil, nil, `{}`},
		{"deny", user, nil, []string{"address", "orders", "tags"}, nil, `{"id":1,"name":"Ann"}`},
		{"deny nested", user, nil, []string{"address.geo", "orders.lines", "orders.total"}, nil,
			`{"id":1,"name":"Ann","address":{"city":"Oslo","zip":"0150"},"tags":["a","b"],"orders":[{"id":"o1"},{"id":"o2"}]}`},
		{"deny below a scalar keeps it", `{"a":1}`, nil, []string{"a.b"}, nil, `{"a":1}`},
		{"allow and deny", user, []string{"address"}, []string{"address.zip", "address.geo.lng"}, nil, `{"address":{"city":"Oslo","geo":{"lat":1}}}`},
		{"rename", user, []string{"id", "address.zip"}, nil, [][2]string{{"id", "user_id"}, {"address.zip", "postcode"}}, `{"user_id":1,"address":{"postcode":"0150"}}`},
		{"rename through array", `[{"a":1},{"a":2,"b":3}]`, nil, nil, [][2]string{{"a", "x"}}, `[{"x":1},{"x":2,"b":3}]`},
		{"rename replaces existing", `{"b":0,"a":1}`, nil, nil, [][2]string{{"a", "b"}}, `{"b":1}`},
		{"rename of an absent field keeps the other", `{"b":0}`, nil, nil, [][2]string{{"a", "b"}}, `{"b":0}`},
		{"rename to a denied field", `{"b":0,"a":1}`, nil, []string{"a"}, [][2]string{{"a", "b"}}, `{"b":0}`},
		{"top-level array allow", `[{"id":1,"x":2},{"id":3},4]`, []string{"id"}, nil, nil, `[{"id":1},{"id":3}]`},
		{"top-level array deny", `[{"id":1,"x":2},4]`, nil, []string{"x"}, nil, `[{"id":1},4]`},
		{"nested arrays", `[[{"id":1,"x":2}]]`, []string{"id"}, nil, nil, `[[{"id":1}]]`},
		{"deny sees through escaped keys", `{"pass\u0077ord":1,"user":{"p\u0061ssword":2,"tokens":[{"\u0073ecret":3,"k":4}]},"\u0075ser":{"password":5},"ok":6}`,
			nil, []string{"password", "user.password", "user.tokens.secret"}, nil, `{"user":{"tokens":[{"k":4}]},"\u0075ser":{},"ok":6}`},
		{"deny keeps duplicate keys out", `{"password":1,"password":2,"a":{"password":3,"pass\u0077ord":4}}`,
			nil, []string{"password", "a.password"}, nil, `{"a":{}}`},
		{"escaped keys", `{"a\u002eb":1,"c\"d":2,"e":3}`, []string{`a\.b`, `c"d`}, nil, nil, `{"a\u002eb":1,"c\"d":2}`},
		{"scalar root", `"text"`, []string{"a"}, nil, nil, `"text"`},
		{"whitespace", "{ \"a\" : { \"b\" : 1 , \"c\" : 2 } , \"d\" : [ 1 , 2 ] }", []string{"a.b", "d"}, nil, nil, `{"a":{"b":1},"d":[ 1 , 2 ]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustFilter(t, tt.allow, tt.deny, tt.renames)
			got := string(f.apply(nil, []byte(tt.in)))
			if got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
			if !json.Valid([]byte(got)) {
				t.Fatalf("invalid output %s", got)
			}
		})
	}
}

func TestFilterAllocations(t *testing.T) {
	f := mustFilter(t, []string{"orders.id", "name"}, []string{"orders.secret"}, nil)
	in := []byte(`{"name":"Ann","orders":[{"id":1,"secret":2},{"id":3}],"x":{"y":[1,2,3]}}`)
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { buf = f.apply(buf[:0], in) }); n != 0 {
		t.Fatalf("filter allocates %v times per run", n)
	}
}

func TestParseFieldPath(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"a", []string{"a"}, true},
		{"a.b.c", []string{"a", "b", "c"}, true},
		{`a\.b.c`, []string{"a.b", "c"}, true},
		{`a\\.b`, []string{`a\`, "b"}, true},
		{"", nil, false},
		{".a", nil, false},
		{"a.", nil, false},
		{"a..b", nil, false},
		{`a\b`, nil, false},
		{`a\`, nil, false},
	}
	for _, tt := range tests {
		got, err := parseFieldPath(tt.in)
		if (err == nil) != tt.ok || strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("parseFieldPath(%q) = %q, %v", tt.in, got, err)
		}
	}
}

func TestBuildRenameErrors(t *testing.T) {
	for _, pairs := range [][][2]string{
		{{"a", ""}},
		{{"a", "x"}, {"a", "y"}},
		{{"a", "x"}, {"b", "x"}},
		{{"o.a", "x"}, {"o.b", "x"}},
		{{"a..b", "x"}},
	} {
		if _, err := buildRename(pairs); err == nil {
			t.Errorf("buildRename(%q) accepted", pairs)
		}
	}
}

// FuzzFieldPath checks that a parsed path, escaped again, parses to the
// same names.
func FuzzFieldPath(f *testing.F) {
	for _, s := range []string{"a", "a.b", `a\.b`, `\\`, "..", `a\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		names, err := parseFieldPath(s)
		if err != nil {
			return
		}
		var parts []string
		for _, n := range names {
			if n == "" {
				t.Fatalf("%q gave an empty name", s)
			}
			n = strings.ReplaceAll(n, `\`, `\\`)
			parts = append(parts, strings.ReplaceAll(n, ".", `\.`))
		}
		again, err := parseFieldPath(strings.Join(parts, "."))
		if err != nil || strings.Join(again, "\x00") != strings.Join(names, "\x00") {
			t.Fatalf("%q: %q, then %q (%v)", s, names, again, err)
		}
	})
}

// FuzzFilter runs the filter on random JSON and paths and compares it with
// a reference implementation on decoded values.
func FuzzFilter(f *testing.F) {
	f.Add([]byte(`{"a":{"b":1,"c":[{"d":2,"e":3},4]},"f":"g"}`), "a.c.d f", "a.c.e", "a.b", "z")
	f.Add([]byte(`[{"id":1,"x":{"y":2}},[{"id":3}],5]`), "id x.y", "", "id", "key")
	f.Add([]byte(`{"a\u00e9":1,"b":{"a":2}}`), "aé b.a", "b", "b.a", "c")
	f.Fuzz(func(t *testing.T, doc []byte, allow, deny, from, to string) {
		bad, err := check(doc, 32)
		if err != nil || !json.Valid(doc) {
			return
		}
		if bad { // as a leg does: filters see the repaired document
			doc, _ = repairUTF8(nil, doc, 1<<30)
		}
		if hasDuplicateKeys(doc) {
			return
		}
		fl, ok := fuzzFilter(strings.Fields(allow), strings.Fields(deny), from, to)
		if !ok {
			return
		}
		v := trimValue(doc)
		got := fl.apply(nil, v)
		if !json.Valid(got) {
			t.Fatalf("invalid output %q for %q", got, v)
		}
		var in any
		d := json.NewDecoder(bytes.NewReader(v))
		d.UseNumber()
		if err := d.Decode(&in); err != nil {
			t.Skip()
		}
		want := canonical(t, reference(in, fl.allow, fl.deny, fl.rename))
		var out any
		d = json.NewDecoder(bytes.NewReader(got))
		d.UseNumber()
		if err := d.Decode(&out); err != nil {
			t.Fatal(err)
		}
		gotCanon := canonical(t, out)
		if !bytes.Equal(gotCanon, want) {
			t.Fatalf("input %s allow %q deny %q rename %q->%q\ngot  %s\nwant %s", v, allow, deny, from, to, gotCanon, want)
		}
	})
}

// canonical encodes v, decodes it again and encodes the result, so that
// equal values give equal bytes whatever their string escapes.
func canonical(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var again any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&again); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(again)
	return b
}

func fuzzFilter(allow, deny []string, from, to string) (*filter, bool) {
	var f filter
	var err error
	if f.allow, err = buildSelect(allow); err != nil {
		return nil, false
	}
	if f.deny, err = buildSelect(deny); err != nil {
		return nil, false
	}
	if from != "" || to != "" {
		if f.rename, err = buildRename([][2]string{{from, to}}); err != nil {
			return nil, false
		}
	}
	return &f, true
}

// hasDuplicateKeys reports whether an object in doc repeats a name, which
// decoded values cannot represent.
func hasDuplicateKeys(doc []byte) bool {
	v := trimValue(doc)
	var walk func(v []byte) bool
	walk = func(v []byte) bool {
		switch v[0] {
		case '{':
			seen := map[string]bool{}
			for m, i, ok := nextMember(v, 1); ok; m, i, ok = nextMember(v, i) {
				k := string(m.decodedKey(nil))
				if seen[k] || walk(m.val) {
					return true
				}
				seen[k] = true
			}
		case '[':
			for e, i, ok := nextElement(v, 1); ok; e, i, ok = nextElement(v, i) {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// reference is the filter's specification on decoded JSON.
func reference(v any, a, d, rn *node) any {
	if a == nil && d == nil && rn == nil {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		kept := func(k string, val any) (ka, kd *node, ok bool) {
			if a != nil {
				if ka = a.get(k); ka == nil {
					return nil, nil, false
				}
				if ka.leaf {
					ka = nil
				} else if !container(val) {
					return nil, nil, false
				}
			}
			if d != nil {
				if kd = d.get(k); kd != nil && kd.leaf {
					return nil, nil, false
				}
			}
			return ka, kd, true
		}
		taken := map[string]bool{}
		for k, val := range x {
			if kr := getNode(rn, k); kr != nil && kr.rename != "" {
				if _, _, ok := kept(k, val); ok {
					taken[kr.rename] = true
				}
			}
		}
		for k, val := range x {
			ka, kd, ok := kept(k, val)
			if !ok {
				continue
			}
			kr := getNode(rn, k)
			name := k
			if kr != nil && kr.rename != "" {
				name = kr.rename
			} else if taken[k] {
				continue
			}
			if kr != nil && len(kr.kids) == 0 {
				kr = nil
			}
			out[name] = reference(val, ka, kd, kr)
		}
		return out
	case []any:
		out := []any{}
		for _, e := range x {
			if a != nil && !container(e) {
				continue
			}
			out = append(out, reference(e, a, d, rn))
		}
		return out
	default:
		return v
	}
}

func getNode(n *node, k string) *node {
	if n == nil {
		return nil
	}
	return n.get(k)
}

func container(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}
