package observe

import (
	"sync"

	"go.opentelemetry.io/otel/attribute"
)

// attrBuf is a scratch list of span attributes. Spans copy the attributes
// they are given, so the list is reused across requests instead of
// escaping to the heap once per span.
type attrBuf [16]attribute.KeyValue

var attrPool = sync.Pool{New: func() any { return new(attrBuf) }}

func getAttrs() *attrBuf { return attrPool.Get().(*attrBuf) }

// putAttrs clears b, so the pool holds no references to request data, and
// returns it to the pool.
func putAttrs(b *attrBuf, used int) {
	clear(b[:min(used, len(b))])
	attrPool.Put(b)
}
