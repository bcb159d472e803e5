package auth

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/waspada-id/waspada/internal/access"
)

// User is an account as stored.
type User struct {
	ID           int64
	Username     string
	PasswordHash string
	Role         access.Role
	Provinces    []string
	Kabupaten    []string
	Disabled     bool
}

// Principal is what the access-control layer sees of the user.
func (u User) Principal() access.Principal {
	return access.Principal{UserID: u.ID, Username: u.Username, Role: u.Role,
		Provinces: slices.Clone(u.Provinces), Kabupaten: slices.Clone(u.Kabupaten)}
}

var (
	usernameRe  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)
	provinceRe  = regexp.MustCompile(`^[0-9]{2}$`)
	kabupatenRe = regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}$`)
)

// ValidateUsername checks the account name shape (also enforced by the schema).
func ValidateUsername(name string) error {
	if !usernameRe.MatchString(name) {
		return fmt.Errorf("username %q: want 2-63 characters of a-z 0-9 . _ - starting with a letter or digit", name)
	}
	return nil
}

// ValidateScope checks that a role gets the scope shape it needs:
// admin none (national), kanwil_head exactly one province, intel_officer one or
// more kabupaten, planner and partner at least one province or kabupaten.
func ValidateScope(role access.Role, provinces, kabupaten []string) error {
	if !role.Valid() {
		return fmt.Errorf("unknown role %q (want one of %v)", role, access.Roles())
	}
	for _, p := range provinces {
		if !provinceRe.MatchString(p) {
			return fmt.Errorf("province code %q: want two digits, e.g. 21", p)
		}
	}
	for _, k := range kabupaten {
		if !kabupatenRe.MatchString(k) {
			return fmt.Errorf("kabupaten code %q: want NN.NN, e.g. 21.71", k)
		}
	}
	switch role {
	case access.Admin:
		if len(provinces)+len(kabupaten) > 0 {
			return fmt.Errorf("admin has national scope: give no --province or --kabupaten")
		}
	case access.KanwilHead:
		if len(provinces) != 1 || len(kabupaten) != 0 {
			return fmt.Errorf("kanwil_head needs exactly one --province and no --kabupaten")
		}
	case access.IntelOfficer:
		if len(kabupaten) == 0 || len(provinces) != 0 {
			return fmt.Errorf("intel_officer needs --kabupaten (an office's working area) and no --province")
		}
	case access.Planner, access.Partner:
		if len(provinces)+len(kabupaten) == 0 {
			return fmt.Errorf("%s needs a region: --province and/or --kabupaten", role)
		}
	}
	return nil
}
