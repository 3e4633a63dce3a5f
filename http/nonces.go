package http

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
	"time"
)

// A vendor's signature holds for a window of time; within it, each
// request's nonce is good once (ZIM's SignatureNonce, Yunxin's Nonce).

// Nonces remembers each (app, nonce) until its request's Timestamp
// leaves the window, after which the signature check refuses it anyway. A
// window at thousands of requests a second holds millions of nonces, so it
// keeps a keyed 128-bit hash of each, not the nonce itself — nothing for
// the collector to scan, a chance of two nonces colliding far below one
// in 2^64 — and forgets them a minute of expiries at a time, never walking
// the whole set.
type Nonces struct {
	mu    sync.Mutex
	seeds [2]maphash.Seed
	seen  map[nonceHash]int64 // hash -> expiry, Unix seconds
	// expiring lists the hashes by the minute their expiry falls in.
	expiring map[int64][]nonceHash
	swept    int64 // every minute before this one is forgotten
}

type nonceHash [2]uint64

// Use records app's nonce, good until expires, and reports whether it was
// fresh: not seen before, or seen with an expiry already past.
func (c *Nonces) Use(app uint64, nonce string, expires, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
		c.seen, c.expiring = map[nonceHash]int64{}, map[int64][]nonceHash{}
	}
	c.sweep(now.Unix() / 60)
	var h nonceHash
	for i, seed := range c.seeds {
		var mh maphash.Hash
		mh.SetSeed(seed)
		var a [8]byte
		binary.LittleEndian.PutUint64(a[:], app)
		_, _ = mh.Write(a[:])
		_, _ = mh.WriteString(nonce)
		h[i] = mh.Sum64()
	}
	if exp, ok := c.seen[h]; ok && now.Unix() < exp {
		return false
	}
	exp := expires.Unix()
	c.seen[h] = exp
	c.expiring[exp/60] = append(c.expiring[exp/60], h)
	return true
}

// sweep forgets the nonces whose expiry falls before minute now.
func (c *Nonces) sweep(now int64) {
	if now <= c.swept {
		return
	}
	c.swept = now
	for minute, hs := range c.expiring {
		if minute >= now {
			continue
		}
		for _, h := range hs {
			// A nonce used again after it expired is kept under its new
			// expiry's minute.
			if exp, ok := c.seen[h]; ok && exp/60 <= minute {
				delete(c.seen, h)
			}
		}
		delete(c.expiring, minute)
	}
}
