package synth

// Calibration tables. Figures marked "published" are rounded public figures
// (sources in data/README.md, "Synthetic data"); the rest are assumptions
// chosen to look plausible. They are functions returning fresh values, not
// package variables, so no state is shared between generator runs.

// provFigures holds per-province calibration, keyed by province code.
type provFigures struct {
	PopM    float64 // population, millions (published, BPS mid-2024, rounded)
	Poverty float64 // poverty rate %, BPS March 2024 (published, rounded)
	Unemp   float64 // open unemployment %, BPS August 2024 (published, rounded)
	PMIYear float64 // procedural PMI departures per year (BP2MI 2023, rounded; small provinces estimated)
	ResW    float64 // weight for non-worker foreign residents (assumption, Ditjen Imigrasi's picture: Jakarta and Bali dominate)
	TourW   float64 // weight for foreign hotel stays (assumption from BPS foreign-arrival figures)
}

func provinceTable() map[string]provFigures {
	return map[string]provFigures{
		"11": {5.55, 14.23, 5.75, 600, 0.4, 0.3},
		"12": {15.59, 7.99, 5.60, 9000, 3, 3},
		"13": {5.84, 5.97, 5.75, 700, 0.5, 1},
		"14": {6.73, 6.36, 3.73, 1200, 1, 1},
		"15": {3.72, 7.26, 4.48, 400, 0.4, 0.2},
		"16": {8.84, 10.97, 3.86, 1500, 0.6, 0.5},
		"17": {2.11, 13.56, 3.11, 300, 0.2, 0.1},
		"18": {9.31, 10.69, 4.21, 20000, 0.5, 0.4},
		"19": {1.53, 4.52, 4.63, 150, 0.5, 0.5},
		"21": {2.18, 5.37, 6.89, 800, 6, 9},
		"31": {10.68, 4.30, 6.21, 2200, 30, 15},
		"32": {50.35, 7.46, 6.75, 56000, 8, 5},
		"33": {37.89, 10.47, 4.78, 58000, 3, 2},
		"34": {3.76, 10.83, 3.48, 1200, 2, 4},
		"35": {41.64, 9.79, 4.19, 68000, 6, 4},
		"36": {12.43, 5.84, 6.68, 3500, 6, 2},
		"51": {4.43, 4.00, 1.79, 6500, 25, 40},
		"52": {5.65, 11.91, 3.30, 31000, 2, 5},
		"53": {5.66, 19.48, 3.02, 1800, 0.6, 3},
		"61": {5.62, 6.32, 4.86, 2000, 0.8, 0.5},
		"62": {2.81, 5.17, 4.10, 200, 0.4, 0.2},
		"63": {4.20, 4.02, 4.14, 300, 0.4, 0.2},
		"64": {4.00, 5.78, 5.14, 300, 1.5, 1},
		"65": {0.73, 6.15, 4.01, 600, 0.3, 0.2},
		"71": {2.68, 7.25, 5.72, 500, 1.5, 2},
		"72": {3.11, 11.77, 3.00, 300, 1, 0.3},
		"73": {9.46, 8.06, 4.55, 2500, 1.5, 1.5},
		"74": {2.79, 11.21, 3.16, 300, 0.6, 0.2},
		"75": {1.20, 14.57, 3.19, 100, 0.2, 0.1},
		"76": {1.47, 11.21, 2.75, 200, 0.1, 0.1},
		"81": {1.94, 15.78, 6.04, 150, 0.3, 0.4},
		"82": {1.36, 6.32, 4.03, 100, 0.4, 0.3},
		"91": {1.06, 17.26, 6.92, 80, 0.3, 0.3},
		"92": {0.57, 21.66, 4.60, 50, 0.2, 0.2},
		"93": {0.54, 19.71, 3.45, 50, 0.1, 0.1},
		"94": {1.45, 29.76, 4.24, 50, 0.5, 0.2},
		"95": {1.45, 32.97, 1.32, 20, 0.05, 0.05},
		"96": {0.63, 18.13, 5.66, 50, 0.3, 1.5},
	}
}

// kabMult is a multiplier on a kabupaten's within-province weight for one layer.
type kabMult struct {
	Name string
	Mult float64
}

// pmiHotspots: the kabupaten BP2MI lists among the largest senders (published
// ranking; multipliers are assumptions).
func pmiHotspots() []kabMult {
	return []kabMult{
		{"Kabupaten Indramayu", 7}, {"Kabupaten Cirebon", 4}, {"Kabupaten Cianjur", 3}, {"Kabupaten Subang", 3},
		{"Kabupaten Sukabumi", 2.5}, {"Kabupaten Karawang", 2},
		{"Kabupaten Cilacap", 5}, {"Kabupaten Kendal", 3}, {"Kabupaten Brebes", 2.5}, {"Kabupaten Pati", 2},
		{"Kabupaten Ponorogo", 4}, {"Kabupaten Blitar", 4}, {"Kabupaten Malang", 4}, {"Kabupaten Tulungagung", 4},
		{"Kabupaten Banyuwangi", 3}, {"Kabupaten Jember", 2.5},
		{"Kabupaten Lombok Timur", 7}, {"Kabupaten Lombok Tengah", 5},
		{"Kabupaten Lampung Timur", 4}, {"Kabupaten Lampung Tengah", 2.5},
	}
}

// tourismHotspots: where foreigners' hotel stays concentrate inside their province.
func tourismHotspots() []kabMult {
	return []kabMult{
		{"Kabupaten Badung", 8}, {"Kabupaten Gianyar", 3}, {"Kota Denpasar", 2}, {"Kabupaten Buleleng", 1.5},
		{"Kota Batam", 8}, {"Kabupaten Bintan", 2.5},
		{"Kabupaten Lombok Utara", 4}, {"Kabupaten Lombok Tengah", 2}, {"Kabupaten Lombok Barat", 2},
		{"Kabupaten Manggarai Barat", 25},
		{"Kabupaten Sleman", 2}, {"Kabupaten Raja Ampat", 6}, {"Kabupaten Toba", 2}, {"Kota Batu", 2},
		{"Kabupaten Bogor", 1.5},
	}
}

// residentHotspots: where non-worker foreign residents (expatriate families,
// retirees, spouses) concentrate.
func residentHotspots() []kabMult {
	return []kabMult{
		{"Kabupaten Badung", 6}, {"Kabupaten Gianyar", 2.5}, {"Kota Denpasar", 2},
		{"Kota Batam", 6}, {"Kabupaten Bekasi", 3}, {"Kabupaten Karawang", 3}, {"Kabupaten Bogor", 1.5},
		{"Kota Tangerang Selatan", 3}, {"Kabupaten Tangerang", 2}, {"Kota Cilegon", 2},
		{"Kabupaten Sidoarjo", 2}, {"Kabupaten Manggarai Barat", 6}, {"Kabupaten Lombok Utara", 3},
	}
}

// estate is a named worksite placed at published approximate coordinates.
type estate struct {
	Kab, Name, Company, Sector string
	Lat, Lon                   float64
	Foreign, Local             int
}

// estates: the large nickel, copper and tin operations. Foreign-worker figures
// are rounded from 2023–2024 press reports (IMIP ~8–10k, IWIP ~5k, VDNI/OSS
// ~3–4k) and are kept at full scale in every size.
func estates() []estate {
	return []estate{
		{"Kabupaten Morowali", "Kawasan Industri Nikel Bahodopi", "PT Indonesia Morowali Industrial Park", "smelter", -2.8254, 122.1540, 8500, 75000},
		{"Kabupaten Halmahera Tengah", "Kawasan Industri Weda Bay", "PT Indonesia Weda Bay Industrial Park", "smelter", 0.4760, 127.9420, 5000, 45000},
		{"Kabupaten Konawe", "Kawasan Industri Morosi", "PT Virtue Dragon Nickel Industry", "smelter", -3.8550, 122.4150, 3500, 27000},
		{"Kabupaten Morowali Utara", "Smelter Nikel Petasia Timur", "PT Gunbuster Nickel Industry", "smelter", -1.9600, 121.3900, 1500, 11000},
		{"Kabupaten Halmahera Selatan", "Kawasan Industri Pulau Obi", "PT Halmahera Persada Lygend", "smelter", -1.5000, 127.6300, 1200, 13000},
		{"Kabupaten Luwu Timur", "Tambang Nikel Sorowako", "PT Vale Indonesia", "mining", -2.5300, 121.3600, 150, 3000},
		{"Kabupaten Mimika", "Tambang Grasberg", "PT Freeport Indonesia", "mining", -4.0600, 137.1100, 300, 12000},
		{"Kabupaten Bangka Barat", "Smelter Timah Muntok", "PT Timah", "smelter", -2.0600, 105.1700, 20, 2500},
		{"Kabupaten Bangka Tengah", "Smelter Timah Koba", "PT Refined Bangka Tin", "smelter", -2.4900, 106.4000, 25, 900},
	}
}

// sectorMix: the national share of worksites by sector (assumption).
func sectorMix() []struct {
	Sector string
	Share  float64
	// Median foreign workers (lognormal, sigma 1) and median local/foreign ratio.
	MedFW, LocalRatio float64
	Prov              map[string]float64
} {
	return []struct {
		Sector            string
		Share             float64
		MedFW, LocalRatio float64
		Prov              map[string]float64
	}{
		{"mining", 0.12, 6, 25, map[string]float64{"64": 10, "63": 8, "72": 4, "74": 4, "82": 4, "16": 4, "19": 6, "94": 2, "65": 2, "52": 2, "62": 3, "15": 1, "91": 1}},
		{"smelter", 0.04, 40, 10, map[string]float64{"72": 6, "74": 4, "82": 4, "19": 3, "36": 2, "64": 1, "73": 1}},
		{"plantation", 0.15, 2, 60, map[string]float64{"14": 8, "61": 7, "62": 6, "16": 5, "15": 4, "12": 5, "64": 3, "65": 1}},
		{"manufacturing", 0.25, 3, 40, map[string]float64{"32": 12, "36": 7, "35": 7, "33": 6, "21": 8, "31": 3, "12": 2}},
		{"construction", 0.15, 4, 20, map[string]float64{"31": 10, "32": 4, "35": 3, "51": 3, "64": 4, "73": 2, "21": 2, "36": 2}},
		{"energy", 0.05, 4, 15, map[string]float64{"36": 2, "32": 2, "35": 2, "64": 2, "16": 2, "73": 1, "11": 1, "21": 1}},
		{"fishery", 0.05, 3, 20, map[string]float64{"81": 4, "71": 3, "91": 1, "82": 1, "53": 1, "21": 1, "92": 1}},
		{"tourism", 0.10, 2, 12, map[string]float64{"51": 10, "52": 3, "53": 3, "21": 2, "34": 1, "96": 1}},
		{"other", 0.09, 2, 10, map[string]float64{"31": 5, "32": 2, "35": 2, "51": 2, "21": 2, "12": 1, "73": 1}},
	}
}

// worksiteHotspots: industrial concentrations inside their province.
func worksiteHotspots() []kabMult {
	return []kabMult{
		{"Kabupaten Bekasi", 8}, {"Kabupaten Karawang", 8}, {"Kabupaten Purwakarta", 3}, {"Kota Cilegon", 6},
		{"Kabupaten Serang", 3}, {"Kota Batam", 10}, {"Kabupaten Gresik", 4}, {"Kabupaten Pasuruan", 3},
		{"Kabupaten Sidoarjo", 3}, {"Kabupaten Kendal", 3}, {"Kabupaten Badung", 5}, {"Kabupaten Manggarai Barat", 5},
		{"Kabupaten Penajam Paser Utara", 4}, {"Kabupaten Kutai Kartanegara", 3}, {"Kabupaten Morowali", 5},
		{"Kabupaten Konawe", 3}, {"Kabupaten Halmahera Tengah", 4}, {"Kota Bitung", 4}, {"Kabupaten Kepulauan Aru", 2},
	}
}

// exitKab is a kabupaten on a known irregular exit route, with a weight for
// its share of informal landing points.
func exitKabs() []kabMult {
	return []kabMult{
		// Kepri: the sea crossing to Johor and Singapore.
		{"Kota Batam", 12}, {"Kabupaten Bintan", 8}, {"Kabupaten Karimun", 10}, {"Kota Tanjung Pinang", 3}, {"Kabupaten Lingga", 2},
		// Riau and Sumatera Utara coasts across the Malacca Strait.
		{"Kabupaten Bengkalis", 8}, {"Kota Dumai", 5}, {"Kabupaten Rokan Hilir", 4}, {"Kabupaten Kepulauan Meranti", 4},
		{"Kabupaten Indragiri Hilir", 3}, {"Kabupaten Asahan", 4}, {"Kabupaten Batu Bara", 2},
		// Jambi: Kuala Tungkal.
		{"Kabupaten Tanjung Jabung Barat", 4}, {"Kabupaten Tanjung Jabung Timur", 3},
		// Kalimantan land borders (Entikong, Aruk, Jagoi Babang, Badau) and Nunukan to Tawau.
		{"Kabupaten Sanggau", 5}, {"Kabupaten Sambas", 4}, {"Kabupaten Bengkayang", 3}, {"Kabupaten Kapuas Hulu", 2},
		{"Kabupaten Nunukan", 10}, {"Kota Tarakan", 2},
		// Madura island coasts.
		{"Kabupaten Sumenep", 6}, {"Kabupaten Bangkalan", 2}, {"Kabupaten Pamekasan", 2},
		// NTB and NTT.
		{"Kabupaten Lombok Timur", 3}, {"Kabupaten Kupang", 4}, {"Kota Kupang", 2}, {"Kabupaten Belu", 4}, {"Kabupaten Malaka", 3},
		{"Kabupaten Timor Tengah Utara", 2},
		// Lampung to Java and on.
		{"Kabupaten Lampung Selatan", 2},
	}
}

// officialExit is a formal exit where non-procedural migrants are intercepted.
type officialExit struct {
	Kab, Name string
	Lat, Lon  float64
	Weight    float64
}

// officialExits: border posts (PLBN) and international airports, at
// approximate published coordinates (snapped onto land when they miss).
func officialExits() []officialExit {
	return []officialExit{
		{"Kabupaten Sanggau", "PLBN Entikong", 1.0300, 110.5800, 8},
		{"Kabupaten Sambas", "PLBN Aruk", 1.9300, 109.6400, 3},
		{"Kabupaten Nunukan", "Pelabuhan Tunon Taka Nunukan", 4.1400, 117.6700, 10},
		{"Kota Batam", "Pelabuhan Batam Centre", 1.1300, 104.0500, 12},
		{"Kota Tanjung Pinang", "Pelabuhan Sri Bintan Pura", 0.9200, 104.4400, 4},
		{"Kabupaten Karimun", "Pelabuhan Tanjung Balai Karimun", 1.0000, 103.4200, 4},
		{"Kota Dumai", "Pelabuhan Dumai", 1.6800, 101.4500, 4},
		{"Kabupaten Belu", "PLBN Motaain", -8.9400, 124.9500, 3},
		{"Kota Tangerang", "Bandara Soekarno-Hatta", -6.1256, 106.6559, 8},
		{"Kabupaten Sidoarjo", "Bandara Juanda", -7.3798, 112.7870, 5},
		{"Kabupaten Lombok Tengah", "Bandara Lombok", -8.7570, 116.2760, 4},
		{"Kabupaten Deli Serdang", "Bandara Kualanamu", 3.6420, 98.8850, 4},
		{"Kabupaten Badung", "Bandara Ngurah Rai", -8.7480, 115.1670, 3},
		{"Kota Kupang", "Bandara El Tari", -10.1700, 123.6700, 4},
	}
}

// desaBinaanPlan: villages with an immigration officer per province. Kepri
// (71) and Jawa Tengah (44) are the published counts; the rest are assumptions
// of the same order ("dozens per province where the programme runs").
func desaBinaanPlan() []struct {
	Prov  string
	Count int
} {
	return []struct {
		Prov  string
		Count int
	}{
		{"12", 14}, {"14", 16}, {"15", 8}, {"18", 15}, {"21", 71}, {"32", 30}, {"33", 44}, {"35", 38},
		{"51", 10}, {"52", 32}, {"53", 36}, {"61", 24}, {"65", 18}, {"73", 12},
	}
}

// jambiOffices: the province's registered foreigners (published: 451 in
// total) by immigration office, with the kabupaten of each office's area
// (office areas are our reading of the offices' wilayah kerja).
func jambiOffices() []struct {
	Office string
	Count  int
	Kabs   []string
} {
	return []struct {
		Office string
		Count  int
		Kabs   []string
	}{
		{"Kanim Jambi", 268, []string{"15.71", "15.05", "15.04"}},
		{"Kanim Kuala Tungkal", 122, []string{"15.06", "15.07"}},
		{"Kanim Kerinci", 33, []string{"15.01", "15.72"}},
		{"Kanim Bungo", 28, []string{"15.08", "15.09", "15.02", "15.03"}},
	}
}

// JambiOffices exposes the Jambi calibration to tests and documentation:
// office name, target count of registered foreign residents, kabupaten codes.
func JambiOffices() []struct {
	Office string
	Count  int
	Kabs   []string
} {
	return jambiOffices()
}

// ProvincePMIYear exposes the procedural PMI departure calibration (per year).
func ProvincePMIYear() map[string]float64 {
	out := map[string]float64{}
	for k, v := range provinceTable() {
		out[k] = v.PMIYear
	}
	return out
}

// ProvincePoverty exposes the poverty calibration (percent).
func ProvincePoverty() map[string]float64 {
	out := map[string]float64{}
	for k, v := range provinceTable() {
		out[k] = v.Poverty
	}
	return out
}
