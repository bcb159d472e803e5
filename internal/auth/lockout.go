package auth

import (
	"context"
	"time"
)

// lockedFor says how long logins for username from ip must still wait, from
// the failures recorded in login_attempt. A user locked out by failures waits
// LockBase after the UserFailures-th failure, doubling with each further one up
// to LockMax; a success resets the count. An address with IPFailures failures in
// IPWindow (password spraying over many names) waits until the window passes.
func (s *Service) lockedFor(ctx context.Context, username, ip string) (time.Duration, error) {
	now := s.now()
	n, last, err := s.store.failures(ctx, "attempt_failures_user", username, now.Add(-24*time.Hour))
	if err != nil {
		return 0, err
	}
	if wait := userBackoff(n, s.cfg.UserFailures, s.cfg.LockBase, s.cfg.LockMax); wait > 0 {
		if until := last.Add(wait); until.After(now) {
			return until.Sub(now), nil
		}
	}
	n, last, err = s.store.failures(ctx, "attempt_failures_ip", ip, now.Add(-s.cfg.IPWindow))
	if err != nil {
		return 0, err
	}
	if s.cfg.IPFailures > 0 && n >= s.cfg.IPFailures {
		if until := last.Add(s.cfg.IPWindow); until.After(now) {
			return until.Sub(now), nil
		}
	}
	return 0, nil
}

// userBackoff is the wait after n consecutive failures.
func userBackoff(n, threshold int, base, maxWait time.Duration) time.Duration {
	if threshold <= 0 || n < threshold {
		return 0
	}
	wait := base
	for i := threshold; i < n && wait < maxWait; i++ {
		wait *= 2
	}
	return min(wait, maxWait)
}
