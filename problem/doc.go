// Package problem renders errors to clients as RFC 9457 problem details
// (Content-Type application/problem+json), the one error format shared by
// every gatewaykit block.
//
// # Errors that know their status
//
// A block reports a client-visible failure by returning or passing a
// [*Problem]: it carries the HTTP status, a short human-readable detail that
// is safe to show, response headers that belong with it (Retry-After,
// WWW-Authenticate, Allow) and, in Err, the cause for logs and errors.Is.
// Blocks export sentinel errors (for example ratelimit.ErrLimited) and wrap
// them in a Problem, so callers can test the cause while the client sees a
// well-formed response.
//
// # Rendering
//
// [Error] renders an error for a request. When the request went through a
// gateway configured with its own error handler, that handler is used, so a
// user who renders errors their own way sees every block's errors too;
// otherwise [Render] writes the problem document. Errors that are not a
// Problem render as a generic 500 whose body never contains the error text,
// so internals do not leak.
package problem
