package aggregate

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
	if a == nil && d == nil && rn == nil {
		return append(dst, v...)
	}
	switch v[0] {
	case '{':
		return filterObject(dst, v, a, d, rn)
	case '[':
		dst = append(dst, '[')
		first := true
		for e, i, ok := nextElement(v, 1); ok; e, i, ok = nextElement(v, i) {
			if a != nil && !isContainer(e) {
				continue // an allowed path goes deeper than this scalar
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = filterValue(dst, e, a, d, rn)
		}
		return append(dst, ']')
	default:
		return append(dst, v...)
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

// filterObject filters the members of the object v. A renamed field takes
// the place of a field that already has the new name: the latter is
// dropped, so the output never holds a name twice because of a rename.
func filterObject(dst, v []byte, a, d, rn *node) []byte {
	var stack [8]string
	taken := stack[:0]
	if rn.hasRenames() {
		for m, i, ok := nextMember(v, 1); ok; m, i, ok = nextMember(v, i) {
			if k := rn.child(&m); k != nil && k.rename != "" {
				if _, _, kept := keep(&m, a, d); kept {
					taken = append(taken, k.rename)
				}
			}
		}
	}
	dst = append(dst, '{')
	first := true
	for m, i, ok := nextMember(v, 1); ok; m, i, ok = nextMember(v, i) {
		ka, kd, kept := keep(&m, a, d)
		if !kept {
			continue
		}
		kr := rn.child(&m)
		renamed := kr != nil && kr.rename != ""
		if !renamed && len(taken) > 0 && keyIn(&m, taken) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		if renamed {
			dst = appendString(dst, kr.rename)
		} else {
			dst = append(dst, '"')
			dst = append(dst, m.key...)
			dst = append(dst, '"')
		}
		dst = append(dst, ':')
		if kr != nil && len(kr.kids) == 0 {
			kr = nil
		}
		dst = filterValue(dst, m.val, ka, kd, kr)
	}
	return append(dst, '}')
}

func keyIn(m *member, names []string) bool {
	for _, n := range names {
		if m.keyIs(n) {
			return true
		}
	}
	return false
}
