package aggregate

import (
	"bytes"
	"slices"
)

// part is one member of the object being merged, with the leg it came
// from (-1 for the error map).
type part struct {
	leg int
	key []byte // decoded, for comparison
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
	n := 0
	for i := range a.legs {
		if ru.res[i].fail.reason == "" {
			n += countMembers(a.legs[i].group, ru.res[i].val)
		}
	}
	parts := make([]part, 0, n)
	free := true
	for i := range a.legs {
		l, rs := &a.legs[i], &ru.res[i]
		if rs.fail.reason != "" {
			continue
		}
		if l.group != "" {
			parts = append(parts, part{leg: i, key: l.groupName, raw: l.groupKey, val: rs.val})
		} else {
			parts = appendMembers(parts, i, rs.val)
		}
	}
	for i := range parts {
		if string(parts[i].key) == a.errorsField {
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

// countMembers returns the number of parts a leg's value v brings: one
// when the leg is grouped, else the number of members of the object v.
func countMembers(group string, v []byte) int {
	if group != "" {
		return 1
	}
	n := 0
	for _, i, ok := nextMember(v, 1); ok; _, i, ok = nextMember(v, i) {
		n++
	}
	return n
}

// appendMembers appends the members of the object v as parts of leg.
func appendMembers(parts []part, leg int, v []byte) []part {
	for m, i, ok := nextMember(v, 1); ok; m, i, ok = nextMember(v, i) {
		key := m.key
		if m.escaped {
			key = unescape(nil, m.key)
		}
		parts = append(parts, part{leg: leg, key: key, raw: m.quoted, val: m.val})
	}
	return parts
}

// object writes parts as one object. Members with the same name are
// merged under the Deep strategy; otherwise the first one is kept and the
// later ones, unless their value is byte for byte the same, are reported
// as conflicts. Its memory is a few words per
// part, whatever the number of members a backend sends.
func (a *Aggregate) object(dst []byte, ru *run, parts []part) []byte {
	n := len(parts)
	var (
		nextBuf [16]int32
		dupBuf  [16]bool
		next    []int32 // the next part with the same name, or -1
		dup     []bool  // the part follows an earlier one with its name
	)
	if n <= len(nextBuf) {
		next, dup = nextBuf[:n], dupBuf[:n]
	} else {
		next, dup = make([]int32, n), make([]bool, n)
	}
	for i := range next {
		next[i] = -1
	}
	if n <= len(nextBuf) {
		for i := 1; i < n; i++ {
			for j := 0; j < i; j++ {
				if !dup[j] && bytes.Equal(parts[j].key, parts[i].key) {
					for next[j] >= 0 {
						j = int(next[j])
					}
					next[j], dup[i] = int32(i), true
					break
				}
			}
		}
	} else {
		// Sort by name, then position, and link each run of equal names.
		order := make([]int32, n)
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortFunc(order, func(x, y int32) int {
			if c := bytes.Compare(parts[x].key, parts[y].key); c != 0 {
				return c
			}
			return int(x - y)
		})
		for k := 1; k < n; k++ {
			if p, q := order[k-1], order[k]; bytes.Equal(parts[p].key, parts[q].key) {
				next[p], dup[q] = q, true
			}
		}
	}
	dst = append(dst, '{')
	first := true
	for i := range parts {
		if dup[i] {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, parts[i].raw...)
		dst = append(dst, ':')
		if next[i] < 0 {
			dst = append(dst, parts[i].val...)
			continue
		}
		dst = a.combine(dst, ru, parts, next, i)
	}
	return append(dst, '}')
}

// combine writes the value of a member several parts bring: the part at
// head and those that next links to it.
func (a *Aggregate) combine(dst []byte, ru *run, parts []part, next []int32, head int) []byte {
	if a.strategy == Deep {
		objects, arrays := true, true
		for i := head; i >= 0; i = int(next[i]) {
			objects = objects && parts[i].val[0] == '{'
			arrays = arrays && parts[i].val[0] == '['
		}
		switch {
		case objects:
			n := 0
			for i := head; i >= 0; i = int(next[i]) {
				n += countMembers("", parts[i].val)
			}
			sub := make([]part, 0, n)
			for i := head; i >= 0; i = int(next[i]) {
				sub = appendMembers(sub, parts[i].leg, parts[i].val)
			}
			return a.object(dst, ru, sub)
		case arrays:
			dst = append(dst, '[')
			n := 0
			for i := head; i >= 0; i = int(next[i]) {
				dst, n = appendElements(dst, parts[i].val, n)
			}
			return append(dst, ']')
		}
	}
	for i := int(next[head]); i >= 0; i = int(next[i]) {
		if bytes.Equal(parts[i].val, parts[head].val) {
			continue // the same value twice (an id both legs carry): nothing is lost
		}
		if l := parts[i].leg; l >= 0 && ru.res[l].conflict == "" {
			ru.res[l].conflict = string(parts[i].key)
		}
	}
	return append(dst, parts[head].val...)
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
