package auth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

func TestChallenge(t *testing.T) {
	tests := []struct {
		name                           string
		scheme, realm, code, desc, scp string
		want                           string
	}{
		{"bare", "Bearer", "", "", "", "", "Bearer"},
		{"realm only", "Bearer", "api", "", "", "", `Bearer realm="api"`},
		{"all", "Bearer", "api", CodeInsufficientScope, "needs more", "a b", `Bearer realm="api", error="insufficient_scope", error_description="needs more", scope="a b"`},
		{"no realm", "Bearer", "", CodeInvalidToken, "", "", `Bearer error="invalid_token"`},
		{"escapes", "ApiKey", `a"b\c`, "", "x\r\ny", "", `ApiKey realm="a\"b\\c", error_description="xy"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Challenge(tt.scheme, tt.realm, tt.code, tt.desc, tt.scp); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	if BearerChallenge("r", "", "", "") != `Bearer realm="r"` {
		t.Error("BearerChallenge")
	}
}

func TestReject(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		errType    string
		wantStatus int
		wantHeader string
		is         error
	}{
		{"unauthorized", Unauthorized(ErrUnauthorized, BearerChallenge("api", "", "", ""), "Authentication required."), errTypeUnauthorized, 401, `Bearer realm="api"`, ErrUnauthorized},
		{"expired", Unauthorized(ErrExpiredToken, BearerChallenge("", CodeInvalidToken, "expired", ""), "The token has expired."), errTypeExpiredToken, 401, `Bearer error="invalid_token", error_description="expired"`, ErrExpiredToken},
		{"scope", Forbidden(ErrInsufficientScope, BearerChallenge("", CodeInsufficientScope, "", "w"), "Missing scope."), errTypeAccessDenied, 403, `Bearer error="insufficient_scope", scope="w"`, ErrInsufficientScope},
		{"forbidden", Forbidden(ErrForbidden, "", "Denied."), errTypeAccessDenied, 403, "", ErrForbidden},
		{"api key", Forbidden(ErrForbidden, "", "Denied."), errTypeInvalidAPIKey, 403, "", ErrForbidden},
		{"bad request", problem.Wrap(ErrInvalidRequest, 400, "Two tokens."), errTypeBadRequest, 400, "", ErrInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := &reqctx.Info{}
			r := httptest.NewRequest("GET", "/", nil)
			r = r.WithContext(reqctx.With(r.Context(), info))
			rec := httptest.NewRecorder()
			var got error
			reject(rec, r, func(w http.ResponseWriter, r *http.Request, err error) {
				got = err
				problem.DefaultErrorHandler(w, r, err)
			}, tt.errType, tt.err)
			if rec.Code != tt.wantStatus || rec.Header().Get("WWW-Authenticate") != tt.wantHeader {
				t.Fatalf("status %d, WWW-Authenticate %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
			}
			if !errors.Is(got, tt.is) || info.ErrorType != tt.errType {
				t.Fatalf("err %v, type %q", got, info.ErrorType)
			}
			// Without a handler nor a gateway the default renders it.
			rec = httptest.NewRecorder()
			reject(rec, httptest.NewRequest("GET", "/", nil), nil, tt.errType, tt.err)
			if rec.Code != tt.wantStatus {
				t.Fatalf("default handler status %d", rec.Code)
			}
		})
	}
}
