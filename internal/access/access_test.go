package access

import "testing"

func TestScope(t *testing.T) {
	kanwil := Principal{Role: KanwilHead, Provinces: []string{"21"}}
	intel := Principal{Role: IntelOfficer, Kabupaten: []string{"21.71", "21.01"}}
	admin := Principal{Role: Admin}
	partner := Principal{Role: Partner, Provinces: []string{"53"}}
	tests := []struct {
		name     string
		p        Principal
		code     string
		scope    bool
		personal bool
	}{
		{"kanwil own kabupaten", kanwil, "21.71", true, false},
		{"kanwil own desa", kanwil, "21.71.01.1001", true, false},
		{"kanwil other province", kanwil, "53.01", false, false},
		{"intel own kabupaten", intel, "21.71", true, true},
		{"intel own kecamatan", intel, "21.01.05", true, true},
		{"intel neighbour kabupaten", intel, "21.72", false, false},
		{"intel province code alone", intel, "21", false, false},
		{"admin anywhere", admin, "91.01", true, true},
		{"partner own", partner, "53.10", true, false},
		{"garbage code", partner, "5", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.InScope(tc.code); got != tc.scope {
				t.Errorf("InScope(%q) = %v, want %v", tc.code, got, tc.scope)
			}
			if got := tc.p.CanSeePersonal(tc.code); got != tc.personal {
				t.Errorf("CanSeePersonal(%q) = %v, want %v", tc.code, got, tc.personal)
			}
		})
	}
}
