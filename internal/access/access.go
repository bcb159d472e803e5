// Package access says who is asking and what they may see. The authentication
// middleware (internal/auth) puts a Principal into each request's context; every
// handler that returns data asks the Principal, never the raw request.
//
// Rules (UU 27/2022 on personal data protection):
//   - admin: everything, national.
//   - intel_officer: personal data (single residents, names, passports, hotel
//     guest lists) inside their own kabupaten list; aggregates elsewhere are refused.
//   - kanwil_head: one province; aggregates only.
//   - planner, partner: a region scope (provinces and/or kabupaten); aggregates only.
//
// Aggregates shown to roles without personal-data rights are small-cell suppressed:
// counts from 1 to MinPublishedCount-1 are never published (see geo/disclosure).
package access

import (
	"context"
	"slices"
	"strings"
)

// Role is a user's role.
type Role string

const (
	Admin        Role = "admin"
	KanwilHead   Role = "kanwil_head"
	IntelOfficer Role = "intel_officer"
	Planner      Role = "planner"
	Partner      Role = "partner"
)

// Roles lists every role, for validation and for matrix tests.
func Roles() []Role { return []Role{Admin, KanwilHead, IntelOfficer, Planner, Partner} }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// MinPublishedCount is the smallest non-zero count that may be published to a
// role without personal-data rights (statistics offices suppress cells under 10).
const MinPublishedCount = 10

// DisclosureBaseRes is the H3 resolution of the base cells on which counts of
// people and cases are suppressed (geo/disclosure): the tiles' count layers,
// the risk engine's inputs and every coarser figure start from these cells.
const DisclosureBaseRes = 7

// Principal is the authenticated user behind a request.
type Principal struct {
	UserID    int64
	Username  string
	Role      Role
	Provinces []string // province codes ("21") the user's scope covers
	Kabupaten []string // kabupaten codes ("21.71") the user's scope covers
}

// National reports whether the scope is the whole country.
func (p Principal) National() bool { return p.Role == Admin }

// InScope reports whether a kabupaten (or a finer code starting with one) lies in scope.
func (p Principal) InScope(code string) bool {
	if p.National() {
		return true
	}
	if len(code) < 2 {
		return false
	}
	if slices.Contains(p.Provinces, code[:2]) {
		return true
	}
	if len(code) >= 5 && slices.Contains(p.Kabupaten, code[:5]) {
		return true
	}
	return false
}

// ProvinceInScope reports whether a whole province lies in scope.
func (p Principal) ProvinceInScope(prov string) bool {
	return p.National() || slices.Contains(p.Provinces, prov)
}

// ScopeCodes returns the scope as code prefixes (province "21" or kabupaten
// "21.71"), nil for national scope: SQL filters use `left(code, length(prefix))`.
func (p Principal) ScopeCodes() []string {
	if p.National() {
		return nil
	}
	out := append([]string{}, p.Provinces...)
	return append(out, p.Kabupaten...)
}

// CanSeePersonal reports whether the user may see personal data in the given
// kabupaten: single residents, names, passport numbers, hotel guest lists.
func (p Principal) CanSeePersonal(kabupatenCode string) bool {
	switch p.Role {
	case Admin:
		return true
	case IntelOfficer:
		return p.InScope(kabupatenCode)
	default:
		return false
	}
}

// MayUsePersonalAnywhere reports whether the role can ever receive personal data.
func (p Principal) MayUsePersonalAnywhere() bool { return p.Role == Admin || p.Role == IntelOfficer }

// String is used in logs and the audit trail.
func (p Principal) String() string {
	return p.Username + "(" + string(p.Role) + ":" + strings.Join(p.ScopeCodes(), ",") + ")"
}

type ctxKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the request's principal; ok is false for anonymous requests,
// which data handlers must refuse.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}
