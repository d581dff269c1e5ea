package problem

import (
	"errors"
	"net/http"
	"strconv"
)

// Problem is an RFC 9457 problem details object that is also a Go error.
//
// The zero value is not useful; create one with [New] or a composite literal
// that sets at least Status.
type Problem struct {
	// Type is a URI reference identifying the problem type. If empty, it is
	// rendered as "about:blank", meaning the status code says it all.
	Type string
	// Title is a short summary of the problem type. If empty, the status
	// code's text is used.
	Title string
	// Status is the HTTP status code.
	Status int
	// Detail explains this occurrence. It is shown to clients, so it must
	// not contain internals.
	Detail string
	// Instance is a URI reference identifying this occurrence. Optional.
	Instance string
	// Extensions are extra members of the problem document. Keys that clash
	// with the standard members are ignored.
	Extensions map[string]any
	// Header holds response headers to send with the problem, such as
	// Retry-After or WWW-Authenticate.
	Header http.Header
	// Err is the underlying cause. It is returned by Unwrap and never
	// rendered.
	Err error
}

// New returns a Problem with the given status and detail.
func New(status int, detail string) *Problem {
	return &Problem{Status: status, Detail: detail}
}

// Wrap returns a Problem with the given status and detail whose cause is err.
func Wrap(err error, status int, detail string) *Problem {
	return &Problem{Status: status, Detail: detail, Err: err}
}

// Error describes the problem for logs. It includes the cause.
func (p *Problem) Error() string {
	if p == nil {
		return "problem: nil"
	}
	s := strconv.Itoa(p.Status) + " " + p.title()
	if p.Detail != "" {
		s += ": " + p.Detail
	}
	if p.Err != nil {
		s += ": " + p.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (p *Problem) Unwrap() error {
	if p == nil {
		return nil
	}
	return p.Err
}

// WithHeader sets a response header on p and returns p.
func (p *Problem) WithHeader(key, value string) *Problem {
	if p.Header == nil {
		p.Header = make(http.Header, 1)
	}
	p.Header.Set(key, value)
	return p
}

// WithExtension sets an extension member on p and returns p.
func (p *Problem) WithExtension(key string, value any) *Problem {
	if p.Extensions == nil {
		p.Extensions = make(map[string]any, 1)
	}
	p.Extensions[key] = value
	return p
}

func (p *Problem) title() string {
	if p.Title != "" {
		return p.Title
	}
	if t := http.StatusText(p.Status); t != "" {
		return t
	}
	return "Error"
}

// From returns the Problem in err's chain. An error without one (or whose
// Problem is nil or has a status that is not a 4xx or 5xx) becomes a 500
// Internal Server Error whose detail does not reveal the error text; a nil
// error returns nil.
func From(err error) *Problem {
	if err == nil {
		return nil
	}
	var p *Problem
	if errors.As(err, &p) && p != nil && errorStatus(p.Status) {
		return p
	}
	return &Problem{Status: http.StatusInternalServerError, Detail: "The gateway could not complete the request.", Err: err}
}

// errorStatus reports whether status is a client or server error status.
func errorStatus(status int) bool { return status >= 400 && status <= 599 }
