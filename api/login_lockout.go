package api

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// loginLockout slows password guessing without letting one person's
// mistakes (or an attacker's) lock out anyone else. Failures are counted
// per (client address, email): the lockAfter-th failure locks that pair
// for base, each further one for double the last, up to max; a successful
// login forgets the pair. Other emails from the same address are never
// blocked: behind a proxy the whole company shares one address.
//
// An address that fails more than ceiling times within ceilingWindow
// (password spraying: a few guesses for each of many emails) loses the
// free failures: from then on a first failure locks its pair at once. A
// correct login of an email that has not failed is still let through.
//
// The state lives in memory, for one replica; with several replicas each
// counts its own share (an attacker spread over n replicas gets n times
// the free failures, the backoff still doubles on each).
type loginLockout struct {
	mu            sync.Mutex
	lockAfter     int
	base, max     time.Duration
	ceiling       int
	ceilingWindow time.Duration
	pairs         map[loginPair]*loginFailures
	addrs         map[string]*addressFailures
}

type loginPair struct{ addr, email string }

type loginFailures struct {
	failures int
	until    time.Time // locked before this instant
	last     time.Time
}

// addressFailures counts an address's failures in the current window.
type addressFailures struct {
	start    time.Time
	failures int
}

// maxLockoutKeys bounds the lockout's memory: past it, pairs whose last
// failure is older than max are forgotten, and if that is not enough,
// everything is.
const maxLockoutKeys = 100_000

func newLoginLockout(lockAfter int, base, max time.Duration, ceiling int, ceilingWindow time.Duration) *loginLockout {
	return &loginLockout{lockAfter: lockAfter, base: base, max: max, ceiling: ceiling, ceilingWindow: ceilingWindow,
		pairs: map[loginPair]*loginFailures{}, addrs: map[string]*addressFailures{}}
}

// wait is how long addr must wait before trying email again: 0 when it
// may try now.
func (l *loginLockout) wait(addr, email string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.pairs[loginPair{addr, email}]; f != nil && now.Before(f.until) {
		return f.until.Sub(now)
	}
	return 0
}

// failed counts a failed attempt and returns how long the pair is now
// locked (0: not locked) and after how many failures.
func (l *loginLockout) failed(addr, email string, now time.Time) (time.Duration, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prune(now)
	a := l.addrs[addr]
	if a == nil || now.Sub(a.start) >= l.ceilingWindow {
		a = &addressFailures{start: now}
		l.addrs[addr] = a
	}
	a.failures++
	k := loginPair{addr, email}
	f := l.pairs[k]
	if f == nil {
		f = &loginFailures{}
		l.pairs[k] = f
	}
	f.failures++
	f.last = now
	lockAfter := l.lockAfter
	if l.ceiling > 0 && a.failures > l.ceiling {
		lockAfter = 1
	}
	if f.failures < lockAfter {
		return 0, f.failures
	}
	d := l.backoff(f.failures - lockAfter)
	f.until = now.Add(d)
	return d, f.failures
}

// backoff is the lock after the n-th failure past the first that locks (n ≥ 0):
// base, doubling, at most max.
func (l *loginLockout) backoff(n int) time.Duration {
	if n >= 62 {
		return l.max
	}
	d := float64(l.base) * math.Pow(2, float64(n))
	if d >= float64(l.max) {
		return l.max
	}
	return time.Duration(d)
}

// succeeded forgets the pair's failures.
func (l *loginLockout) succeeded(addr, email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.pairs, loginPair{addr, email})
}

func (l *loginLockout) prune(now time.Time) {
	if len(l.pairs) < maxLockoutKeys && len(l.addrs) < maxLockoutKeys {
		return
	}
	for k, f := range l.pairs {
		if now.Sub(f.last) > l.max && !now.Before(f.until) {
			delete(l.pairs, k)
		}
	}
	for k, a := range l.addrs {
		if now.Sub(a.start) >= l.ceilingWindow {
			delete(l.addrs, k)
		}
	}
	if len(l.pairs) >= maxLockoutKeys {
		clear(l.pairs)
	}
	if len(l.addrs) >= maxLockoutKeys {
		clear(l.addrs)
	}
}

// lockedOut is a login refused because its (address, email) pair is
// locked: 429 with Retry-After, the seconds until it may try again.
type lockedOut struct{ wait time.Duration }

func (e lockedOut) Error() string {
	return fmt.Sprintf("too many failed logins for this email from your address: try again in %d s", e.retryAfter())
}

// retryAfter is the wait in whole seconds, rounded up.
func (e lockedOut) retryAfter() int {
	return int(math.Ceil(e.wait.Seconds()))
}
