package redistest

import (
	"net"
	"testing"
	"time"
)

func TestStartStopRestart(t *testing.T) {
	s := Start(t)
	c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	if err != nil || !ping(c) {
		t.Fatalf("server not answering: %v", err)
	}
	s.Stop()
	if c, err := net.DialTimeout("tcp", s.Addr(), 200*time.Millisecond); err == nil {
		c.Close()
		t.Fatal("server still answering after Stop")
	}
	s.Start()
	c, err = net.DialTimeout("tcp", s.Addr(), time.Second)
	if err != nil || !ping(c) {
		t.Fatalf("server not answering after restart: %v", err)
	}
}
