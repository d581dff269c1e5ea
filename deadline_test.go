package gateway

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

func TestDeadlineCtx(t *testing.T) {
	t.Run("not waited on", func(t *testing.T) {
		c := newDeadlineCtx(context.Background(), 20*time.Millisecond)
		defer c.release()
		if d, ok := c.Deadline(); !ok || time.Until(d) > 20*time.Millisecond {
			t.Fatalf("Deadline = %v, %v", d, ok)
		}
		if c.Err() != nil {
			t.Fatalf("Err before the deadline = %v", c.Err())
		}
		time.Sleep(30 * time.Millisecond)
		if !errors.Is(c.Err(), context.DeadlineExceeded) {
			t.Fatalf("Err after the deadline = %v", c.Err())
		}
		if c.started.Load() {
			t.Fatal("timer started although nobody waited")
		}
	})
	t.Run("waited on", func(t *testing.T) {
		c := newDeadlineCtx(context.Background(), 20*time.Millisecond)
		defer c.release()
		select {
		case <-c.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("Done never closed")
		}
		if !errors.Is(c.Err(), context.DeadlineExceeded) {
			t.Fatalf("Err = %v", c.Err())
		}
	})
	t.Run("parent canceled", func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		c := newDeadlineCtx(parent, time.Hour)
		defer c.release()
		cancel()
		if !errors.Is(c.Err(), context.Canceled) {
			t.Fatalf("Err = %v", c.Err())
		}
		<-c.Done()
	})
	t.Run("earlier parent deadline", func(t *testing.T) {
		parent, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c := newDeadlineCtx(parent, time.Hour)
		defer c.release()
		pd, _ := parent.Deadline()
		if d, _ := c.Deadline(); !d.Equal(pd) {
			t.Fatalf("Deadline = %v, want the parent's %v", d, pd)
		}
	})
	t.Run("values and children", func(t *testing.T) {
		type key struct{}
		parent := context.WithValue(context.Background(), key{}, "v")
		c := newDeadlineCtx(parent, time.Hour)
		if c.Value(key{}) != "v" {
			t.Fatal("value lost before the timer")
		}
		_ = c.Done() // starts the timer
		if c.Value(key{}) != "v" {
			t.Fatal("value lost after the timer")
		}
		// A child attaches to the timed context without a watcher goroutine.
		before := runtime.NumGoroutine()
		child, cancelChild := context.WithCancel(c)
		defer cancelChild()
		if n := runtime.NumGoroutine(); n > before {
			t.Errorf("deriving a child started %d goroutines", n-before)
		}
		c.release()
		select {
		case <-child.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("child not canceled with its parent")
		}
	})
}

func BenchmarkDeadlineCtx(b *testing.B) {
	b.ReportAllocs()
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Run("lazy", func(b *testing.B) {
		for b.Loop() {
			c := newDeadlineCtx(parent, time.Second)
			_ = c.Err()
			c.release()
		}
	})
	b.Run("WithTimeout", func(b *testing.B) {
		for b.Loop() {
			c, cancel := context.WithTimeout(parent, time.Second)
			_ = c.Err()
			cancel()
		}
	})
}
