package aggregate

// concat writes every leg's array elements, or value, as one array.
func (a *Aggregate) concat(dst []byte, ru *run) []byte {
	dst = append(dst, '[')
	n := 0
	for i := range a.legs {
		l, rs := &a.legs[i], &ru.res[i]
		if rs.fail.reason != "" {
			continue
		}
		switch {
		case l.group != "":
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '{')
			dst = append(dst, l.groupKey...)
			dst = append(dst, ':')
			dst = append(dst, rs.val...)
			dst = append(dst, '}')
			n++
		case rs.val[0] == '[':
			dst, n = appendElements(dst, rs.val, n)
		default:
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, rs.val...)
			n++
		}
	}
	return append(dst, ']')
}

// appendErrors writes the error map: each failed or conflicting leg's name
// and reason.
func (a *Aggregate) appendErrors(dst []byte, ru *run) []byte {
	dst = append(dst, '{')
	n := 0
	for i := range a.legs {
		rs := &ru.res[i]
		reason := rs.fail.reason
		if reason == "" && rs.conflict != "" {
			reason = "conflict on " + rs.conflict
		}
		if reason == "" {
			continue
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = appendString(dst, a.legs[i].name)
		dst = append(dst, ':')
		dst = appendString(dst, reason)
	}
	return append(dst, '}')
}
