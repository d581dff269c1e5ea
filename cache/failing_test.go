package cache

import (
	"context"
	"time"
)

// failingStore is a store whose every call fails, as an unreachable shared
// store does.
type failingStore struct{ err error }

func (s failingStore) Get(context.Context, string) (*Entry, error) { return nil, s.err }
func (s failingStore) Set(context.Context, string, *Entry, time.Duration) error {
	return s.err
}
func (s failingStore) Delete(context.Context, string) error       { return s.err }
func (s failingStore) DeletePrefix(context.Context, string) error { return s.err }
func (s failingStore) Flush(context.Context) error                { return s.err }
