package problem

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestRenderStatusOutOfRange checks that a Problem whose status is not an
// error status renders as a well-formed 500 instead of panicking in
// WriteHeader (0, 42, 1000) or answering an error document with a success
// status (200, 302).
func TestRenderStatusOutOfRange(t *testing.T) {
	for _, status := range []int{0, -1, 42, 200, 302, 600, 1000} {
		rec := httptest.NewRecorder()
		func() {
			defer func() {
				if v := recover(); v != nil {
					t.Fatalf("status %d: Render panicked: %v", status, v)
				}
			}()
			Render(rec, httptest.NewRequest("GET", "/", nil), &Problem{Status: status, Detail: "internal detail"})
		}()
		var doc map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatalf("status %d: body %q: %v", status, rec.Body, err)
		}
		if rec.Code != http.StatusInternalServerError || doc["status"] != float64(http.StatusInternalServerError) {
			t.Errorf("status %d: answered %d with status member %v, want 500", status, rec.Code, doc["status"])
		}
	}
}

// TestTypedNilProblem checks that a nil *Problem passed as a non-nil error
// renders as a 500 rather than panicking.
func TestTypedNilProblem(t *testing.T) {
	var p *Problem
	var err error = p
	rec := httptest.NewRecorder()
	func() {
		defer func() {
			if v := recover(); v != nil {
				t.Fatalf("Error panicked: %v", v)
			}
		}()
		Error(rec, httptest.NewRequest("GET", "/", nil), err)
	}()
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", rec.Code)
	}
	if got := From(err); got == nil || got.Status != http.StatusInternalServerError || !errors.Is(got, err) {
		t.Errorf("From = %v, want a 500 wrapping the error", got)
	}
	_ = From(err).Error() // logged by gateways: must not panic either
}
