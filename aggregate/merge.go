package aggregate

// part is one member of the object being merged, with the leg it came
// from (-1 for the error map).
type part struct {
	leg int
	key string // decoded, for comparison
	raw []byte // the key as a JSON string, quotes included
	val []byte
}

// merge appends the merged result of the legs that succeeded to dst. It
// reports whether the result is an object that may take the error map
// (one without a member of that name).
func (a *Aggregate) merge(dst []byte, ru *run) ([]byte, bool) {
	if a.strategy == Concat {
		return a.concat(dst, ru), false
	}
	if len(a.legs) == 1 && a.legs[0].group == "" {
		v := ru.res[0].val
		return append(dst, v...), v[0] == '{' && !hasMember(v, a.errorsField)
	}
	if a.grouped && a.strategy == Shallow {
		// Group keys are distinct and differ from the error field: splice.
		dst = append(dst, '{')
		first := true
		for i := range a.legs {
			rs := &ru.res[i]
			if rs.fail.reason != "" {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, a.legs[i].groupKey...)
			dst = append(dst, ':')
			dst = append(dst, rs.val...)
		}
		return append(dst, '}'), true
	}
	var parts []part
	free := true
	for i := range a.legs {
		l, rs := &a.legs[i], &ru.res[i]
		if rs.fail.reason != "" {
			continue
		}
		if l.group != "" {
			parts = append(parts, part{leg: i, key: l.group, raw: l.groupKey, val: rs.val})
		} else {
			parts = appendMembers(parts, i, rs.val)
		}
	}
	for i := range parts {
		if parts[i].key == a.errorsField {
			free = false
		}
	}
	return a.object(dst, ru, parts), free
}

// hasMember reports whether the object v has a member named name.
func hasMember(v []byte, name string) bool {
	if name == "" {
		return false
	}
	_, ok := find(v, []string{name})
	return ok
}

// withErrors inserts the error map as the last member of the object out.
func (a *Aggregate) withErrors(out []byte, ru *run) []byte {
	out = out[:len(out)-1] // '}'
	if len(out) > 1 {
		out = append(out, ',')
	}
	out = appendString(out, a.errorsField)
	out = append(out, ':')
	out = a.appendErrors(out, ru)
	return append(out, '}')
}

// appendMembers appends the members of the object v as parts of leg.
func appendMembers(parts []part, leg int, v []byte) []part {
	for m, i, ok := nextMember(v, 1); ok; m, i, ok = nextMember(v, i) {
		parts = append(parts, part{leg: leg, key: string(m.decodedKey(nil)), raw: m.quoted, val: m.val})
	}
	return parts
}

// object writes parts as one object. Members with the same name are
// merged under the Deep strategy; otherwise the first one is kept and the
// later ones are reported as conflicts.
func (a *Aggregate) object(dst []byte, ru *run, parts []part) []byte {
	var index map[string]int
	if len(parts) > 16 {
		index = make(map[string]int, len(parts))
	}
	var groups [][]int // part indexes by name, in order of first appearance
	for i := range parts {
		g := -1
		if index != nil {
			if j, ok := index[parts[i].key]; ok {
				g = j
			}
		} else {
			for j, grp := range groups {
				if parts[grp[0]].key == parts[i].key {
					g = j
					break
				}
			}
		}
		if g < 0 {
			if index != nil {
				index[parts[i].key] = len(groups)
			}
			groups = append(groups, []int{i})
			continue
		}
		groups[g] = append(groups[g], i)
	}
	dst = append(dst, '{')
	for n, grp := range groups {
		if n > 0 {
			dst = append(dst, ',')
		}
		first := &parts[grp[0]]
		dst = append(dst, first.raw...)
		dst = append(dst, ':')
		if len(grp) == 1 {
			dst = append(dst, first.val...)
			continue
		}
		dst = a.combine(dst, ru, parts, grp)
	}
	return append(dst, '}')
}

// combine writes the value of a member several parts bring.
func (a *Aggregate) combine(dst []byte, ru *run, parts []part, grp []int) []byte {
	if a.strategy == Deep {
		objects, arrays := true, true
		for _, i := range grp {
			objects = objects && parts[i].val[0] == '{'
			arrays = arrays && parts[i].val[0] == '['
		}
		switch {
		case objects:
			var sub []part
			for _, i := range grp {
				sub = appendMembers(sub, parts[i].leg, parts[i].val)
			}
			return a.object(dst, ru, sub)
		case arrays:
			dst = append(dst, '[')
			n := 0
			for _, i := range grp {
				dst, n = appendElements(dst, parts[i].val, n)
			}
			return append(dst, ']')
		}
	}
	first := &parts[grp[0]]
	for _, i := range grp[1:] {
		if l := parts[i].leg; l >= 0 && ru.res[l].conflict == "" {
			ru.res[l].conflict = parts[i].key
		}
	}
	return append(dst, first.val...)
}

// appendElements appends the elements of the array v, separated by commas
// from the n elements already written, and returns the new count.
func appendElements(dst, v []byte, n int) ([]byte, int) {
	for e, i, ok := nextElement(v, 1); ok; e, i, ok = nextElement(v, i) {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, e...)
		n++
	}
	return dst, n
}
