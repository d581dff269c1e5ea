package cache

import (
	"encoding/binary"
	"errors"
	"math"
	"net/textproto"
	"time"
)

// ErrCorruptEntry is returned by [Entry.UnmarshalBinary] for bytes that are
// not an encoded entry. A store treats such an entry as absent.
var ErrCorruptEntry = errors.New("cache: corrupt entry")

// codecMagic starts every encoded entry; its last byte is the format version.
var codecMagic = [4]byte{'g', 'k', 'c', 1}

// MarshalBinary encodes e compactly, for stores that keep bytes.
func (e *Entry) MarshalBinary() ([]byte, error) {
	return e.AppendBinary(make([]byte, 0, e.size))
}

// AppendBinary appends the encoding of e to b.
//
// The format is a 4-byte magic and version, then varints for the status,
// the stored and expiry times (Unix nanoseconds) and the initial age, then
// the header fields and the varied request fields, each as a count followed
// by length-prefixed names and values, and last the length-prefixed body.
func (e *Entry) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, codecMagic[:]...)
	b = binary.AppendUvarint(b, uint64(e.status))
	b = binary.AppendVarint(b, e.stored.UnixNano())
	b = binary.AppendVarint(b, e.expires.UnixNano())
	b = binary.AppendUvarint(b, uint64(e.initialAge))
	b = appendFields(b, e.header)
	b = appendFields(b, e.vary)
	b = binary.AppendUvarint(b, uint64(len(e.body)))
	return append(b, e.body...), nil
}

func appendFields(b []byte, fs []field) []byte {
	b = binary.AppendUvarint(b, uint64(len(fs)))
	for _, f := range fs {
		b = appendString(b, f.name)
		b = binary.AppendUvarint(b, uint64(len(f.values)))
		for _, v := range f.values {
			b = appendString(b, v)
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// UnmarshalBinary decodes data, as produced by [Entry.MarshalBinary], into
// e, which must be new: an Entry is immutable once shared. Any input that is
// not a valid encoding, including header names or values that could not be
// sent in a response, returns [ErrCorruptEntry]; no input panics. The body
// aliases data.
func (e *Entry) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	if len(data) < len(codecMagic) || [4]byte(data[:4]) != codecMagic {
		return ErrCorruptEntry
	}
	d.b = d.b[4:]
	status := d.uvarint()
	stored := d.varint()
	expires := d.varint()
	initialAge := d.uvarint()
	header := d.fields(false)
	vary := d.fields(true)
	body := d.bytes()
	if d.bad || len(d.b) != 0 || status < 200 || status > 599 || initialAge > math.MaxInt32 {
		return ErrCorruptEntry
	}
	e.status = int(status)
	e.header = header
	e.body = body
	e.stored = time.Unix(0, stored)
	e.expires = time.Unix(0, expires)
	e.initialAge = int64(initialAge)
	e.vary = vary
	e.derive()
	return nil
}

// decoder reads the encoding; after the first error every read returns a
// zero value and bad stays set.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) uvarint() uint64 {
	if d.bad {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.bad {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a count of items that each take at least one more byte, so a
// count larger than the remaining input is corrupt rather than an
// allocation to make.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.bad = true
		return 0
	}
	return int(n)
}

func (d *decoder) bytes() []byte {
	n := d.count()
	if d.bad {
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

// fields reads a list of fields; only varied request fields may have no
// value, meaning the request did not carry the header.
func (d *decoder) fields(allowEmpty bool) []field {
	n := d.count()
	if n == 0 {
		return nil
	}
	fs := make([]field, 0, n)
	for range n {
		name := string(d.bytes())
		if d.bad || !validName(name) {
			d.bad = true
			return nil
		}
		nv := d.count()
		if nv == 0 && !allowEmpty {
			d.bad = true
			return nil
		}
		var values []string
		if nv > 0 {
			values = make([]string, nv)
		}
		for i := range values {
			values[i] = string(d.bytes())
			if !validValue(values[i]) {
				d.bad = true
			}
		}
		if d.bad {
			return nil
		}
		fs = append(fs, field{name: textproto.CanonicalMIMEHeaderKey(name), values: values})
	}
	return fs
}

// validName reports whether s is a non-empty HTTP token.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// validValue reports whether s can be sent as a field value: no control
// characters other than horizontal tab.
func validValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
