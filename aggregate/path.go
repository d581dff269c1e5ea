package aggregate

import (
	"errors"
	"strconv"
	"strings"
)

// parseFieldPath splits a field path such as "address.city" into its
// names. Names are separated by '.'; a backslash makes the next character
// ('.' or '\') part of the name. Empty names are refused.
func parseFieldPath(s string) ([]string, error) {
	if s == "" {
		return nil, errors.New("empty field path")
	}
	var (
		names []string
		cur   strings.Builder
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			if i+1 >= len(s) || s[i+1] != '.' && s[i+1] != '\\' {
				return nil, errors.New("field path " + strconv.Quote(s) + ": a backslash must escape '.' or '\\'")
			}
			i++
			cur.WriteByte(s[i])
		case '.':
			if cur.Len() == 0 {
				return nil, errors.New("field path " + strconv.Quote(s) + " has an empty name")
			}
			names = append(names, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() == 0 {
		return nil, errors.New("field path " + strconv.Quote(s) + " has an empty name")
	}
	return append(names, cur.String()), nil
}

// node is a trie of field paths. A leaf selects the whole value at its
// path; rename, when set, is the new name of the field at its path.
type node struct {
	names  []string
	kids   []*node
	leaf   bool
	rename string
}

// add inserts path and returns its node.
func (n *node) add(path []string) *node {
	for _, name := range path {
		k := n.get(name)
		if k == nil {
			k = &node{}
			n.names = append(n.names, name)
			n.kids = append(n.kids, k)
		}
		n = k
	}
	return n
}

// get returns the child named name, or nil.
func (n *node) get(name string) *node {
	for i, s := range n.names {
		if s == name {
			return n.kids[i]
		}
	}
	return nil
}

// child returns the child for a member's key, or nil. n may be nil.
func (n *node) child(m *member) *node {
	if n == nil {
		return nil
	}
	if !m.escaped {
		for i, s := range n.names {
			if s == string(m.key) {
				return n.kids[i]
			}
		}
		return nil
	}
	var stack [64]byte
	key := unescape(stack[:0], m.key)
	for i, s := range n.names {
		if s == string(key) {
			return n.kids[i]
		}
	}
	return nil
}

// hasRenames reports whether a direct child of n renames its field.
func (n *node) hasRenames() bool {
	if n == nil {
		return false
	}
	for _, k := range n.kids {
		if k.rename != "" {
			return true
		}
	}
	return false
}

// buildSelect builds the trie of Allow or Deny paths; nil when there are
// none.
func buildSelect(paths []string) (*node, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	root := &node{}
	for _, p := range paths {
		names, err := parseFieldPath(p)
		if err != nil {
			return nil, err
		}
		root.add(names).leaf = true
	}
	return root, nil
}

// buildRename builds the trie of renames; nil when there are none. Two
// fields of one object renamed to the same name, or one field renamed
// twice, are refused.
func buildRename(pairs [][2]string) (*node, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	root := &node{}
	for _, p := range pairs {
		names, err := parseFieldPath(p[0])
		if err != nil {
			return nil, err
		}
		to := p[1]
		if to == "" {
			return nil, errors.New("Rename(" + strconv.Quote(p[0]) + ", \"\"): empty new name")
		}
		n := root.add(names)
		if n.rename != "" {
			return nil, errors.New("field " + strconv.Quote(p[0]) + " renamed twice")
		}
		n.rename = to
	}
	var walk func(n *node) error
	walk = func(n *node) error {
		seen := map[string]bool{}
		for _, k := range n.kids {
			if k.rename != "" {
				if seen[k.rename] {
					return errors.New("two fields renamed to " + strconv.Quote(k.rename))
				}
				seen[k.rename] = true
			}
			if err := walk(k); err != nil {
				return err
			}
		}
		return nil
	}
	return root, walk(root)
}
