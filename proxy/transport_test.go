package proxy

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestNewTransportTuning(t *testing.T) {
	tr := NewTransport()
	switch {
	case tr.MaxIdleConnsPerHost < 64 || tr.MaxIdleConns < tr.MaxIdleConnsPerHost:
		t.Errorf("idle pool %d per host, %d total: too small for a gateway", tr.MaxIdleConnsPerHost, tr.MaxIdleConns)
	case tr.IdleConnTimeout <= 0 || tr.TLSHandshakeTimeout <= 0 || tr.ExpectContinueTimeout <= 0 || tr.DialContext == nil:
		t.Errorf("timeouts not set: %+v", tr)
	case !tr.ForceAttemptHTTP2 || !tr.DisableCompression || tr.Proxy != nil:
		t.Errorf("HTTP/2 %v, compression disabled %v, environment proxy %v", tr.ForceAttemptHTTP2, tr.DisableCompression, tr.Proxy != nil)
	}
	if NewTransport() == tr {
		t.Error("NewTransport returned a shared transport")
	}
	if shared := DefaultTransport(); shared != defaultTransport() || shared == http.DefaultTransport {
		t.Error("DefaultTransport is not shared")
	}
	if http.DefaultTransport.(*http.Transport).MaxIdleConnsPerHost != 0 {
		t.Error("http.DefaultTransport was modified")
	}
}

func TestHTTP2ToTLSUpstream(t *testing.T) {
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(r.Proto))
	}))
	up.EnableHTTP2 = true
	up.StartTLS()
	t.Cleanup(up.Close)
	tr := testTransport(t)
	tr.TLSClientConfig = up.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	pool := x509.NewCertPool()
	pool.AddCert(up.Certificate())
	tr.TLSClientConfig.RootCAs = pool

	u, err := NewUpstream("tls", []string{up.URL})
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(u, "", Transport(tr))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "HTTP/2.0" {
		t.Fatalf("status %d, upstream protocol %q", rec.Code, rec.Body)
	}
}

func TestBufferPoolDoesNotAllocate(t *testing.T) {
	copyBuffers.Put(copyBuffers.Get())
	allocs := testing.AllocsPerRun(100, func() {
		b := copyBuffers.Get()
		if len(b) != bufSize {
			t.Fatalf("buffer of %d bytes", len(b))
		}
		copyBuffers.Put(b)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per Get/Put", allocs)
	}
	copyBuffers.Put(make([]byte, 10)) // a foreign buffer is dropped, not stored
}
