package ippolicy

import (
	"net/netip"
	"slices"
)

// prefixSet answers "is this address in any of these prefixes" in time
// proportional to the number of distinct prefix lengths, not the number of
// prefixes, so lists of thousands of ranges stay cheap. Lookups do not
// allocate.
type prefixSet struct {
	v4, v6 lengthTable
}

type lengthTable struct {
	bits []int // distinct prefix lengths, longest first
	set  map[netip.Prefix]struct{}
}

func newPrefixSet(ps []netip.Prefix) prefixSet {
	var s prefixSet
	for _, p := range ps {
		t := &s.v6
		if p.Addr().Is4() {
			t = &s.v4
		}
		if t.set == nil {
			t.set = map[netip.Prefix]struct{}{}
		}
		t.set[p] = struct{}{}
		if !slices.Contains(t.bits, p.Bits()) {
			t.bits = append(t.bits, p.Bits())
		}
	}
	for _, t := range []*lengthTable{&s.v4, &s.v6} {
		slices.Sort(t.bits)
		slices.Reverse(t.bits)
	}
	return s
}

func (s *prefixSet) empty() bool { return s.v4.set == nil && s.v6.set == nil }

// contains reports whether a (already unmapped) is in the set.
func (s *prefixSet) contains(a netip.Addr) bool {
	t := &s.v6
	if a.Is4() {
		t = &s.v4
	}
	for _, bits := range t.bits {
		p, err := a.Prefix(bits)
		if err != nil {
			continue
		}
		if _, ok := t.set[p]; ok {
			return true
		}
	}
	return false
}
