package aggregate

import "bytes"

// filter rewrites a leg's JSON value: Allow keeps only the listed paths,
// Deny removes paths, Rename renames fields. A nil trie does nothing. Arrays
// are transparent: a path applies to every element of an array it meets,
// so "items.id" keeps the id of each item and a top-level array is
// filtered element by element.
type filter struct {
	allow, deny, rename *node
}

func (f *filter) active() bool { return f.allow != nil || f.deny != nil || f.rename != nil }

// apply appends the filtered form of the JSON value v to dst.
func (f *filter) apply(dst, v []byte) []byte {
	return filterValue(dst, v, f.allow, f.deny, f.rename)
}

// filterValue appends v filtered by the allow node a (nil: everything is
// allowed), the deny node d (nil: nothing is denied) and the rename node rn.
func filterValue(dst, v []byte, a, d, rn *node) []byte {
	dst, _ = filterAt(dst, v, 0, a, d, rn)
	return dst
}

// filterAt appends the value starting at b[i], filtered, and returns the
// index after it, so that each byte is walked once.
func filterAt(dst, b []byte, i int, a, d, rn *node) ([]byte, int) {
	if a == nil && d == nil && rn == nil {
		end := skipValue(b, i)
		return append(dst, b[i:end]...), end
	}
	switch b[i] {
	case '{':
		return filterObject(dst, b, i, a, d, rn)
	case '[':
		dst = append(dst, '[')
		first := true
		j := skipWS(b, i+1)
		for j < len(b) && b[j] != ']' {
			if a != nil && b[j] != '{' && b[j] != '[' {
				j = skipValue(b, j) // an allowed path goes deeper than this scalar
			} else {
				if !first {
					dst = append(dst, ',')
				}
				first = false
				dst, j = filterAt(dst, b, j, a, d, rn)
			}
			j = skipWS(b, j)
			if j < len(b) && b[j] == ',' {
				j = skipWS(b, j+1)
			}
		}
		return append(dst, ']'), j + 1
	default:
		end := skipValue(b, i)
		return append(dst, b[i:end]...), end
	}
}

func isContainer(v []byte) bool { return v[0] == '{' || v[0] == '[' }

// keep decides whether the member m survives the allow node a and the deny
// node d, and returns the nodes that apply inside its value.
func keep(m *member, a, d *node) (ka, kd *node, ok bool) {
	if a != nil {
		if ka = a.child(m); ka == nil {
			return nil, nil, false
		}
		if ka.leaf {
			ka = nil
		} else if !isContainer(m.val) {
			return nil, nil, false
		}
	}
	if d != nil {
		if kd = d.child(m); kd != nil && kd.leaf {
			return nil, nil, false
		}
	}
	return ka, kd, true
}

// filterObject filters the members of the object starting at b[i] and
// returns the index after it. A renamed field takes the place of a field
// that already has the new name: the latter is dropped, so the output never
// holds a name twice because of a rename.
func filterObject(dst, b []byte, i int, a, d, rn *node) ([]byte, int) {
	var stack [8]string
	taken := stack[:0]
	if rn.hasRenames() {
		for m, j, ok := nextMember(b, i+1); ok; m, j, ok = nextMember(b, j) {
			if k := rn.child(&m); k != nil && k.rename != "" {
				if _, _, kept := keep(&m, a, d); kept {
					taken = append(taken, k.rename)
				}
			}
		}
	}
	dst = append(dst, '{')
	first := true
	j := skipWS(b, i+1)
	for j < len(b) && b[j] == '"' {
		var m member
		kend := skipString(b, j)
		m.quoted = b[j:kend]
		m.key = b[j+1 : kend-1]
		m.escaped = bytes.IndexByte(m.key, '\\') >= 0
		j = skipWS(b, skipWS(b, kend)+1) // past ':'
		m.val = b[j : j+1]               // the value's first byte, for keep
		ka, kd, kept := keep(&m, a, d)
		kr := rn.child(&m)
		renamed := kr != nil && kr.rename != ""
		if !kept || !renamed && len(taken) > 0 && keyIn(&m, taken) {
			j = skipValue(b, j)
		} else {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			if renamed {
				dst = appendString(dst, kr.rename)
			} else {
				dst = append(dst, m.quoted...)
			}
			dst = append(dst, ':')
			if kr != nil && len(kr.kids) == 0 {
				kr = nil
			}
			dst, j = filterAt(dst, b, j, ka, kd, kr)
		}
		j = skipWS(b, j)
		if j < len(b) && b[j] == ',' {
			j = skipWS(b, j+1)
		}
	}
	j = skipWS(b, j)
	return append(dst, '}'), j + 1
}

func keyIn(m *member, names []string) bool {
	for _, n := range names {
		if m.keyIs(n) {
			return true
		}
	}
	return false
}
