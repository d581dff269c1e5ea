package hdrname

import (
	"net/http"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSame(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"X-User-Id", "X-User-Id", true},
		{"x_user_id", "X-User-Id", true},
		{"X_REAL_IP", "X-Real-Ip", true},
		{"X-User-Ids", "X-User-Id", false},
		{"X-User-Ix", "X-User-Id", false},
		{"X.User.Id", "X-User-Id", false},
		{"X-User_Id", "X_User-Id", true},
		{"", "", true},
	} {
		if got := Same(c.a, c.b); got != c.want {
			t.Errorf("Same(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestHasPrefix(t *testing.T) {
	for _, c := range []struct {
		name, prefix string
		want         bool
	}{
		{"X-Gateway-User", "X-Gateway-", true},
		{"x_gateway_user", "X-Gateway-", true},
		{"X-Gatewa", "X-Gateway-", false},
		{"X-Gatewayuser", "X-Gateway-", false},
	} {
		if got := HasPrefix(c.name, c.prefix); got != c.want {
			t.Errorf("HasPrefix(%q, %q) = %v, want %v", c.name, c.prefix, got, c.want)
		}
	}
}

func TestIsUpgrade(t *testing.T) {
	for _, c := range []struct {
		h    http.Header
		want bool
	}{
		{http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}}, true},
		{http.Header{"Upgrade": {"websocket"}, "Connection": {"keep-alive, upgrade"}}, true},
		{http.Header{"Upgrade": {"websocket"}, "Connection": {"keep-alive", " UPGRADE\t"}}, true},
		{http.Header{"Upgrade": {"websocket"}, "Connection": {"keep-alive"}}, false},
		{http.Header{"Upgrade": {"websocket"}}, false},
		{http.Header{"Upgrade": {""}, "Connection": {"upgrade"}}, false},
		{http.Header{"Connection": {"upgrade"}}, false},
	} {
		if got := IsUpgrade(c.h); got != c.want {
			t.Errorf("IsUpgrade(%v) = %v, want %v", c.h, got, c.want)
		}
	}
}
