package auth

import (
	"context"
	"time"
)

// lockedFor says how long logins for username from ip must still wait, from
// the failures recorded in login_attempt. Failures are counted per (user,
// address): after UserFailures of them since the last success that address
// waits LockBase for that user, doubling with each further one up to LockMax,
// so a stranger guessing from elsewhere cannot lock the real user out of their
// own office. Across all addresses the same back-off starts at the higher
// UserFailuresAnyIP (guessing spread over many addresses). An address with
// IPFailures failures in IPWindow (password spraying over many names) waits
// until the window passes.
func (s *Service) lockedFor(ctx context.Context, username, ip string) (time.Duration, error) {
	now := s.now()
	since := now.Add(-24 * time.Hour)
	n, last, err := s.store.failures(ctx, "attempt_failures_user_ip", username, since, ip)
	if err != nil {
		return 0, err
	}
	if wait := userBackoff(n, s.cfg.UserFailures, s.cfg.LockBase, s.cfg.LockMax); wait > 0 {
		if until := last.Add(wait); until.After(now) {
			return until.Sub(now), nil
		}
	}
	n, last, err = s.store.failures(ctx, "attempt_failures_user", username, since)
	if err != nil {
		return 0, err
	}
	if wait := userBackoff(n, s.cfg.UserFailuresAnyIP, s.cfg.LockBase, s.cfg.LockMax); wait > 0 {
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
