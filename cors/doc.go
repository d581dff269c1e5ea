// Package cors answers cross-origin resource sharing (CORS) at the gateway:
// it decides which browser origins may call the API, answers preflight
// requests itself so they never reach an upstream, and puts the CORS
// response headers on every response, including the errors the gateway
// makes (401, 403, 404, 429, 5xx), which browsers would otherwise report
// as opaque CORS failures.
//
// # Configuration
//
// [New] takes functional options and returns an error for every mistake:
// a malformed origin, a wildcard that is not a leftmost DNS label,
// credentials combined with "*", an invalid method or header name, or an
// out-of-range max-age. [Allow] is the one-line form for Use; it reports the
// same mistakes through Validate, so a gateway refuses to deploy them.
//
//	c, err := cors.New(
//		cors.Origins("https://app.example.com", "https://*.example.com"),
//		cors.Methods("GET", "POST", "DELETE"),
//		cors.Headers("Authorization", "Content-Type"),
//		cors.Expose("X-Request-Id"),
//		cors.Credentials(),
//		cors.MaxAge(10*time.Minute),
//	)
//
// # Origins
//
// An allowed origin is either exact ("https://app.example.com",
// "http://localhost:3000") or a pattern whose leftmost label is a wildcard
// ("https://*.example.com"), which matches any subdomain at any depth but
// neither the bare domain nor a look-alike such as
// "https://evil-example.com". "*" allows every origin and cannot be combined
// with [Credentials]. The "null" origin (sandboxed frames, file: pages) is
// shared by unrelated documents and cannot be allowed.
//
// # Requests
//
// A preflight (OPTIONS with Origin and Access-Control-Request-Method) is
// answered with 204 and the allowed methods, headers and max-age when the
// origin, method and every requested header are allowed, and with 403
// problem+json otherwise; it is never passed on. Any other request with an
// allowed Origin gets Access-Control-Allow-Origin (the origin itself, or "*"
// when every origin is allowed without credentials),
// Access-Control-Allow-Credentials and Access-Control-Expose-Headers before
// the next handler runs, so responses made by later blocks carry them too;
// CORS headers an upstream sets are replaced. A request from an origin that
// is not allowed passes on without CORS headers (those an upstream sets are
// removed), so the browser keeps the response from the page. Responses that
// depend on Origin carry Vary: Origin so shared caches keep them apart;
// when every origin is allowed without credentials, every response carries
// Access-Control-Allow-Origin: *, even to requests without Origin, so a
// cached copy serves cross-origin requests too.
//
// In a gateway, install CORS with Gateway.Use so it runs before routing and
// also covers 404, 405 and automatic OPTIONS answers.
package cors
