package redisstore

import (
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// errNoContextTimeout is returned for a client whose calls outlive their
// context's deadline.
var errNoContextTimeout = errors.New("the client must be created with ContextTimeoutEnabled: true " +
	"(and no read or write timeout of -2), or a hung server would hold requests for the client's " +
	"read timeout or for ever instead of the store's timeout")

// checkDeadlines reports whether every call client makes gives up when its
// context's deadline passes. go-redis bounds a call by the context only
// when the client was created with ContextTimeoutEnabled, and not at all
// when a read or write timeout is disabled with -2; otherwise the socket
// waits for the read timeout (5 s by default) or for ever. Clients of
// types other than the ones go-redis provides cannot be checked and are
// refused, as is a nil client.
func checkDeadlines(client redis.UniversalClient) error {
	if client == nil {
		return errors.New("nil client")
	}
	var enabled bool
	var read, write, disabled time.Duration
	switch c := client.(type) {
	case *redis.Client:
		// Options are normalised: -2 became -1.
		o := c.Options()
		enabled, read, write, disabled = o.ContextTimeoutEnabled, o.ReadTimeout, o.WriteTimeout, -1
	case *redis.ClusterClient:
		// Options are normalised, but -2 is kept.
		o := c.Options()
		enabled, read, write, disabled = o.ContextTimeoutEnabled, o.ReadTimeout, o.WriteTimeout, -2
	case *redis.Ring:
		// Options are as given.
		o := c.Options()
		enabled, read, write, disabled = o.ContextTimeoutEnabled, o.ReadTimeout, o.WriteTimeout, -2
	default:
		return fmt.Errorf("a client of type %T cannot be checked to honour context deadlines; "+
			"use a *redis.Client, *redis.ClusterClient or *redis.Ring", client)
	}
	if !enabled || read <= disabled || write <= disabled {
		return errNoContextTimeout
	}
	return nil
}
