package auth

import (
	"context"
	"fmt"
	"sync"
)

// MemoryKeyStore is a [KeyStore] in process memory, for a single gateway
// instance and for tests. It is safe for concurrent use; lookups take a
// read lock and do not allocate.
type MemoryKeyStore struct {
	mu     sync.RWMutex
	byID   map[string]*APIKey
	byHash map[KeyHash]*APIKey
}

// NewMemoryKeyStore returns an empty store.
func NewMemoryKeyStore() *MemoryKeyStore {
	return &MemoryKeyStore{byID: map[string]*APIKey{}, byHash: map[KeyHash]*APIKey{}}
}

// Lookup implements [KeyStore].
func (s *MemoryKeyStore) Lookup(_ context.Context, h KeyHash) (*APIKey, error) {
	s.mu.RLock()
	k := s.byHash[h]
	s.mu.RUnlock()
	if k == nil {
		return nil, ErrKeyNotFound
	}
	return k, nil
}

// Get implements [KeyStore].
func (s *MemoryKeyStore) Get(_ context.Context, id string) (*APIKey, error) {
	s.mu.RLock()
	k := s.byID[id]
	s.mu.RUnlock()
	if k == nil {
		return nil, ErrKeyNotFound
	}
	return k, nil
}

// Create implements [KeyStore].
func (s *MemoryKeyStore) Create(_ context.Context, k *APIKey) error {
	k = k.Clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[k.ID]; ok {
		return ErrKeyExists
	}
	for _, sec := range k.Secrets {
		if _, ok := s.byHash[sec.Hash]; ok {
			return ErrKeyExists
		}
	}
	s.put(k)
	return nil
}

// Update implements [KeyStore].
func (s *MemoryKeyStore) Update(_ context.Context, id string, fn func(*APIKey) error) (*APIKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.byID[id]
	if old == nil {
		return nil, ErrKeyNotFound
	}
	k := old.Clone()
	if err := fn(k); err != nil {
		return nil, err
	}
	if k.ID != id {
		return nil, fmt.Errorf("auth: update changed the key id from %q to %q", id, k.ID)
	}
	for _, sec := range k.Secrets {
		if other, ok := s.byHash[sec.Hash]; ok && other.ID != id {
			return nil, ErrKeyExists
		}
	}
	s.remove(old)
	s.put(k)
	return k, nil
}

// Delete implements [KeyStore].
func (s *MemoryKeyStore) Delete(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.byID[id]
	if k == nil {
		return ErrKeyNotFound
	}
	s.remove(k)
	return nil
}

// Len returns the number of keys stored.
func (s *MemoryKeyStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.byID)
}

func (s *MemoryKeyStore) put(k *APIKey) {
	k.p = k.newPrincipal()
	s.byID[k.ID] = k
	for _, sec := range k.Secrets {
		s.byHash[sec.Hash] = k
	}
}

func (s *MemoryKeyStore) remove(k *APIKey) {
	delete(s.byID, k.ID)
	for _, sec := range k.Secrets {
		delete(s.byHash, sec.Hash)
	}
}
