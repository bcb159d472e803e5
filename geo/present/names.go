package present

import (
	"math"
	"strings"

	"github.com/waspada-id/waspada/geo/risk"
)

// Permit names a residence permit type of the import format
// (internal/importer's permit_type enum) in a language; an unknown code is
// returned as it is.
func Permit(code string, l Lang) string {
	names := map[string][2]string{
		"ITAS":  {"KITAS (izin tinggal terbatas)", "KITAS (limited stay permit)"},
		"ITAP":  {"KITAP (izin tinggal tetap)", "KITAP (permanent stay permit)"},
		"VISIT": {"Visa kunjungan", "Visit visa"},
		"VOA":   {"Visa kunjungan saat kedatangan", "Visa on arrival"},
		"OTHER": {"Izin lain", "Other permit"},
	}
	n, ok := names[strings.ToUpper(code)]
	if !ok {
		return code
	}
	if l == EN {
		return n[1]
	}
	return n[0]
}

// Nationality names an ISO 3166-1 alpha-3 code; an unknown code is returned
// as it is (so nothing is silently renamed).
func Nationality(iso3 string, l Lang) string {
	n, ok := nationalities()[strings.ToUpper(iso3)]
	if !ok {
		return iso3
	}
	if l == EN {
		return n[1]
	}
	return n[0]
}

func nationalities() map[string][2]string {
	return map[string][2]string{
		"AUS": {"Australia", "Australia"},
		"AUT": {"Austria", "Austria"},
		"BEL": {"Belgia", "Belgium"},
		"BGD": {"Bangladesh", "Bangladesh"},
		"BRA": {"Brasil", "Brazil"},
		"BRN": {"Brunei Darussalam", "Brunei"},
		"CAN": {"Kanada", "Canada"},
		"CHE": {"Swiss", "Switzerland"},
		"CHN": {"Tiongkok", "China"},
		"DEU": {"Jerman", "Germany"},
		"DNK": {"Denmark", "Denmark"},
		"EGY": {"Mesir", "Egypt"},
		"ESP": {"Spanyol", "Spain"},
		"FIN": {"Finlandia", "Finland"},
		"FRA": {"Prancis", "France"},
		"GBR": {"Inggris (Britania Raya)", "United Kingdom"},
		"HKG": {"Hong Kong", "Hong Kong"},
		"IND": {"India", "India"},
		"IRN": {"Iran", "Iran"},
		"ITA": {"Italia", "Italy"},
		"JPN": {"Jepang", "Japan"},
		"KHM": {"Kamboja", "Cambodia"},
		"KOR": {"Korea Selatan", "South Korea"},
		"LAO": {"Laos", "Laos"},
		"LKA": {"Sri Lanka", "Sri Lanka"},
		"MMR": {"Myanmar", "Myanmar"},
		"MYS": {"Malaysia", "Malaysia"},
		"NLD": {"Belanda", "Netherlands"},
		"NOR": {"Norwegia", "Norway"},
		"NPL": {"Nepal", "Nepal"},
		"NZL": {"Selandia Baru", "New Zealand"},
		"PAK": {"Pakistan", "Pakistan"},
		"PHL": {"Filipina", "Philippines"},
		"PNG": {"Papua Nugini", "Papua New Guinea"},
		"POL": {"Polandia", "Poland"},
		"PRT": {"Portugal", "Portugal"},
		"RUS": {"Rusia", "Russia"},
		"SAU": {"Arab Saudi", "Saudi Arabia"},
		"SGP": {"Singapura", "Singapore"},
		"SWE": {"Swedia", "Sweden"},
		"THA": {"Thailand", "Thailand"},
		"TLS": {"Timor-Leste", "Timor-Leste"},
		"TUR": {"Turki", "Turkey"},
		"TWN": {"Taiwan", "Taiwan"},
		"UKR": {"Ukraina", "Ukraine"},
		"USA": {"Amerika Serikat", "United States"},
		"VNM": {"Vietnam", "Vietnam"},
		"ZAF": {"Afrika Selatan", "South Africa"},
	}
}

// FactorValue shows a factor's raw value as what it is: yes/no for a
// proximity factor ("ya, dalam 8 km"), a percentage for a rate, a count with
// its reach for a density. Unknown factors get the bare number.
func FactorValue(name string, v float64, l Lang) string {
	var f *risk.Factor
	for _, x := range risk.Factors() {
		if x.Name == name {
			f = &x
			break
		}
	}
	if f == nil {
		return Number(v, 1, l)
	}
	switch f.Influence {
	case risk.Proximity:
		r := Km(f.RadiusKm, l)
		if v > 0 {
			if l == EN {
				return "yes, within " + r
			}
			return "ya, dalam " + r
		}
		if l == EN {
			return "no, none within " + r
		}
		return "tidak, tidak ada dalam " + r
	case risk.Area:
		if strings.HasSuffix(f.Layer, "_rate") {
			return Percent(v, 1, l)
		}
		if l == EN {
			return Int(int64(math.Round(v)), l) + " a month"
		}
		return Int(int64(math.Round(v)), l) + " per bulan"
	case risk.Density:
		n := Number(v, 0, l)
		if v != math.Trunc(v) && math.Abs(v) < 10 {
			n = Number(v, 1, l) // a coarse cell's mean
		}
		unit := densityUnit(f.Layer, l)
		if l == EN {
			return n + " " + unit + " within " + Km(f.RadiusKm, l)
		}
		return n + " " + unit + " dalam " + Km(f.RadiusKm, l)
	}
	return Number(v, 1, l)
}

// densityUnit names what a density factor counts.
func densityUnit(layer string, l Lang) string {
	u := map[string][2]string{
		risk.LayerResident:  {"WNA", "foreigners"},
		risk.LayerHotel:     {"tamu asing", "foreign guests"},
		risk.LayerWorksite:  {"TKA", "foreign workers"},
		risk.LayerPriorTPPO: {"kasus", "cases"},
		risk.LayerPriorPMI:  {"kasus", "cases"},
	}[layer]
	if u[0] == "" {
		return ""
	}
	if l == EN {
		return u[1]
	}
	return u[0]
}
