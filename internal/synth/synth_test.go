package synth

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/waspada-id/waspada/internal/importer"
	"github.com/waspada-id/waspada/internal/testdb"
)

// fixture loads the reference geography once and generates the demo size
// once per seed; generation is deterministic, so sharing is safe.
type fixture struct {
	once  sync.Once
	w     *World
	err   error
	mu    sync.Mutex
	cache map[uint64]*Dataset
}

func (f *fixture) world(t *testing.T) *World {
	t.Helper()
	dir := testdb.DataDir(t) // skips with a message when missing, fails under CI
	f.once.Do(func() { f.w, f.err = LoadWorld(dir) })
	if f.err != nil {
		t.Fatal(f.err)
	}
	return f.w
}

func (f *fixture) demo(t *testing.T, seed uint64) (*World, *Dataset) {
	t.Helper()
	w := f.world(t)
	f.mu.Lock()
	defer f.mu.Unlock()
	if ds, ok := f.cache[seed]; ok {
		return w, ds
	}
	cfg, err := SizeByName("demo")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := Generate(w, cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	if f.cache == nil {
		f.cache = map[uint64]*Dataset{}
	}
	f.cache[seed] = ds
	return w, ds
}

// One fixture per test binary: a test helper, not product state.
var fx fixture //nolint:gochecknoglobals

func render(t *testing.T, ds *Dataset) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range Files() {
		var b bytes.Buffer
		if err := ds.Write(&b, f.Kind); err != nil {
			t.Fatal(err)
		}
		out[f.Kind] = b.Bytes()
	}
	return out
}

func TestDeterminism(t *testing.T) {
	w, a := fx.demo(t, 1)
	cfg, _ := SizeByName("demo")
	b, err := Generate(w, cfg, 1) // a fresh run, not the cached one
	if err != nil {
		t.Fatal(err)
	}
	_, c := fx.demo(t, 2)
	ra, rb, rc := render(t, a), render(t, b), render(t, c)
	for _, f := range Files() {
		t.Run(f.Kind, func(t *testing.T) {
			if !bytes.Equal(ra[f.Kind], rb[f.Kind]) {
				t.Errorf("seed 1 twice: %s differs", f.File)
			}
			// Desa binaan depend on the seed only through the latent
			// surface, the rest directly; every file must change.
			if bytes.Equal(ra[f.Kind], rc[f.Kind]) {
				t.Errorf("seeds 1 and 2 give the same %s", f.File)
			}
		})
	}
	// WriteDir writes the same bytes as Write.
	dir := t.TempDir()
	if _, err := a.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range Files() {
		got, err := os.ReadFile(filepath.Join(dir, f.File))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, ra[f.Kind]) {
			t.Errorf("%s on disk differs from Write", f.File)
		}
	}
}

// TestFormats parses every file with the importer's own parser (header,
// types, enums, dates, cross-field rules) and checks headers against the
// csv examples of data/README.md.
func TestFormats(t *testing.T) {
	_, ds := fx.demo(t, 1)
	files := render(t, ds)
	readme, err := os.ReadFile(filepath.Join("..", "..", "data", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var docHeads []string
	sc := bufio.NewScanner(bytes.NewReader(readme))
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "```csv" && sc.Scan() {
			docHeads = append(docHeads, sc.Text())
		}
	}
	// Format sections appear in import-kind order in the README.
	kinds := importer.KindNames()
	if len(docHeads) < len(kinds) {
		t.Fatalf("data/README.md has %d csv examples, want %d", len(docHeads), len(kinds))
	}
	for i, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			b := files[kind]
			head, _, _ := bytes.Cut(b, []byte("\n"))
			if string(head) != docHeads[i] {
				t.Errorf("header %q, data/README.md says %q", head, docHeads[i])
			}
			k := importer.Kinds()[kind]
			p := importer.ParseCSV(bytes.NewReader(b), k, time.Now().UTC())
			for j, e := range p.Errors {
				if j == 5 {
					t.Errorf("... %d errors in all", len(p.Errors))
					break
				}
				t.Errorf("line %d %s: %s", e.Line, e.Field, e.Reason)
			}
			if len(p.Rows) == 0 {
				t.Errorf("no rows")
			}
		})
	}
}

func readCSV(t *testing.T, b []byte) ([]string, [][]string) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(b))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs[0], recs[1:]
}

func colIdx(head []string, name string) int {
	return slices.Index(head, name)
}

// TestPointsOnLand: every written point lies inside the polygon of the
// kabupaten the generator assigned it to (hence on land, inside Indonesia),
// re-read from the CSV text so rounding is covered.
func TestPointsOnLand(t *testing.T) {
	w, ds := fx.demo(t, 1)
	files := render(t, ds)
	kabs := map[string]map[string]int{ // kind -> id -> assigned kabupaten
		"residences": {}, "worksites": {}, "ports": {}, "incidents": {},
	}
	for _, r := range ds.Residents {
		kabs["residences"][r.ID] = r.Kab
	}
	for _, r := range ds.Worksites {
		kabs["worksites"][r.ID] = r.Kab
	}
	for _, r := range ds.Ports {
		kabs["ports"][r.ID] = r.Kab
	}
	for _, r := range ds.Incidents {
		if r.HasP {
			kabs["incidents"][r.ID] = r.Kab
		}
	}
	for _, kind := range []string{"residences", "worksites", "ports", "incidents"} {
		t.Run(kind, func(t *testing.T) {
			head, rows := readCSV(t, files[kind])
			id, la, lo := colIdx(head, "id"), colIdx(head, "lat"), colIdx(head, "lon")
			checked, bad := 0, 0
			for _, rec := range rows {
				if rec[la] == "" {
					continue
				}
				lat, err1 := strconv.ParseFloat(rec[la], 64)
				lon, err2 := strconv.ParseFloat(rec[lo], 64)
				if err1 != nil || err2 != nil {
					t.Fatalf("%s: bad coordinates %q %q", rec[id], rec[la], rec[lo])
				}
				k, ok := kabs[kind][rec[id]]
				if !ok {
					t.Fatalf("%s: row has coordinates but no assigned kabupaten", rec[id])
				}
				p := orb.Point{lon, lat}
				checked++
				if !w.Kabs[k].Region.Contains(p) {
					bad++
					if bad <= 5 {
						t.Errorf("%s at %v is not inside its kabupaten %s (%s)", rec[id], p, w.Kabs[k].Code, w.Kabs[k].Name)
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d points outside their kabupaten", bad, checked)
			}
			if checked == 0 {
				t.Error("no points checked")
			}
		})
	}
	// Desa codes name real villages; incidents without a point have one.
	codes := map[string]bool{}
	for _, v := range w.Villages {
		codes[v.Code] = true
	}
	for _, d := range ds.DesaBinaan {
		if !codes[d.Code] {
			t.Errorf("desa binaan %s is not a reference village", d.Code)
		}
	}
	for _, in := range ds.Incidents {
		if in.DesaCode != "" && !codes[in.DesaCode] {
			t.Errorf("incident %s: desa %s is not a reference village", in.ID, in.DesaCode)
		}
		if in.DesaCode == "" && !in.HasP {
			t.Errorf("incident %s has neither desa nor point", in.ID)
		}
	}
	// Worksite references resolve.
	ws := map[string]bool{}
	for _, s := range ds.Worksites {
		ws[s.ID] = true
	}
	for _, r := range ds.Residents {
		if r.WorksiteID != "" && !ws[r.WorksiteID] {
			t.Fatalf("resident %s refers to unknown worksite %s", r.ID, r.WorksiteID)
		}
	}
}

// locateProv counts by province/kabupaten found by point-in-polygon, as a
// reader of the files would, not from the generator's bookkeeping.
func locateKab(w *World, p orb.Point) string {
	i := w.Index.Locate(p)
	if i < 0 {
		return ""
	}
	return w.Kabs[i].Code
}

func within(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func TestCalibration(t *testing.T) {
	w, ds := fx.demo(t, 1)
	t0 := Today()

	// Residences by kabupaten (point-in-polygon).
	resByKab := map[string]int{}
	stayByProv := map[string]int{}
	stayByKab := map[string]int{}
	for _, r := range ds.Residents {
		k := locateKab(w, r.P)
		if r.Hotel {
			stayByProv[k[:2]]++
			stayByKab[k]++
		} else {
			resByKab[k]++
		}
	}
	t.Run("jambi registered foreigners by office", func(t *testing.T) {
		total := 0
		for _, o := range JambiOffices() {
			n := 0
			for _, k := range o.Kabs {
				n += resByKab[k]
			}
			total += n
			// Neighbouring published polygons overlap slightly: allow 3%.
			if !within(float64(n), float64(o.Count), math.Max(2, 0.03*float64(o.Count))) {
				t.Errorf("%s: %d residences, want %d ±3%%", o.Office, n, o.Count)
			}
			t.Logf("%s: %d (target %d)", o.Office, n, o.Count)
		}
		// The city holds the largest share of its office's residents.
		for _, k := range []string{"15.05", "15.04"} {
			if resByKab[k] > resByKab["15.71"] {
				t.Errorf("Kanim Jambi: %s has %d residences, more than Kota Jambi's %d", k, resByKab[k], resByKab["15.71"])
			}
		}
		t.Logf("Kanim Jambi: Kota Jambi %d, Muaro Jambi %d, Batang Hari %d", resByKab["15.71"], resByKab["15.05"], resByKab["15.04"])
		if !within(float64(total), 451, 5) {
			t.Errorf("Jambi province: %d residences, want 451 ±5", total)
		}
	})

	t.Run("nickel estates employ thousands of foreign workers", func(t *testing.T) {
		fw := map[string]int{}
		for _, s := range ds.Worksites {
			fw[locateKab(w, s.P)] += s.Foreign
		}
		for _, name := range []string{"Kabupaten Morowali", "Kabupaten Halmahera Tengah", "Kabupaten Konawe"} {
			k, err := w.KabByName(name)
			if err != nil {
				t.Fatal(err)
			}
			if n := fw[w.Kabs[k].Code]; n < 3000 {
				t.Errorf("%s: %d foreign workers, want ≥ 3,000", name, n)
			} else {
				t.Logf("%s: %d foreign workers", name, n)
			}
		}
		// Bangka Belitung: tin (mining or smelter worksites).
		tin := 0
		for _, s := range ds.Worksites {
			if strings.HasPrefix(locateKab(w, s.P), "19.") && (s.Sector == "mining" || s.Sector == "smelter") {
				tin++
			}
		}
		if tin < 5 {
			t.Errorf("Bangka Belitung: %d mining/smelter worksites, want ≥ 5", tin)
		}
	})

	t.Run("hotel stays concentrate in Bali and tourist kabupaten", func(t *testing.T) {
		best := ""
		for p, n := range stayByProv {
			if best == "" || n > stayByProv[best] || (n == stayByProv[best] && p < best) {
				best = p
			}
		}
		if best != "51" {
			t.Errorf("most hotel stays in province %s, want Bali (51)", best)
		}
		mb, _ := w.KabByName("Kabupaten Manggarai Barat")
		for k, n := range stayByKab {
			if strings.HasPrefix(k, "53.") && k != w.Kabs[mb].Code && n >= stayByKab[w.Kabs[mb].Code] {
				t.Errorf("NTT: %s has %d stays, not fewer than Labuan Bajo's %d", k, n, stayByKab[w.Kabs[mb].Code])
			}
		}
		for _, c := range []string{"51", "31", "21"} {
			if stayByProv[c] < len(ds.Residents)/100 {
				t.Errorf("province %s: only %d hotel stays", c, stayByProv[c])
			}
		}
	})

	t.Run("residents cluster in cities", func(t *testing.T) {
		// Kota hold about 20% of villages' area weight but far more residents.
		kota, all := 0, 0
		for k, n := range resByKab {
			if k != "" && k[3:] >= "71" {
				kota += n
			}
			all += n
		}
		if share := float64(kota) / float64(all); share < 0.2 {
			t.Errorf("kota share of residences %.2f, want ≥ 0.20", share)
		} else {
			t.Logf("kota share of residences %.2f", share)
		}
	})

	t.Run("overstay share", func(t *testing.T) {
		present, over := 0, 0
		for i := range ds.Residents {
			r := &ds.Residents[i]
			if r.Hotel && !r.CheckOut.IsZero() {
				continue
			}
			present++
			if r.Expiry.Before(t0) {
				over++
			}
		}
		share := float64(over) / float64(present)
		t.Logf("overstaying: %d of %d present (%.2f%%)", over, present, 100*share)
		if !within(share, OverstayTarget, 0.005) {
			t.Errorf("overstay share %.4f, want %.3f ± 0.005", share, OverstayTarget)
		}
	})

	// Indicators: departures per province over the last 12 months.
	dep := map[string]float64{}
	pov := map[string][]float64{}
	last12 := monthStart(Months - 12).Format("2006-01")
	first := monthStart(0).Format("2006-01")
	for _, x := range ds.Indicators {
		switch {
		case x.Name == "pmi_departures" && x.Period >= last12:
			dep[x.Kab[:2]] += x.Value
		case x.Name == "poverty_rate" && x.Period == first:
			pov[x.Kab[:2]] = append(pov[x.Kab[:2]], x.Value)
		}
	}
	t.Run("pmi departures by province", func(t *testing.T) {
		want := ProvincePMIYear()
		var provs []string
		for p := range dep {
			provs = append(provs, p)
		}
		slices.SortFunc(provs, func(a, b string) int {
			if dep[a] != dep[b] {
				if dep[a] > dep[b] {
					return -1
				}
				return 1
			}
			return strings.Compare(a, b)
		})
		top := slices.Clone(provs[:5])
		slices.Sort(top)
		if !slices.Equal(top, []string{"18", "32", "33", "35", "52"}) {
			t.Errorf("top five sending provinces %v, want Lampung, Jabar, Jateng, Jatim, NTB", top)
		}
		for p, v := range want {
			if v >= 5000 && !within(dep[p], v, 0.05*v) {
				t.Errorf("province %s: %.0f departures in 12 months, want %.0f ± 5%%", p, dep[p], v)
			}
		}
		var sum float64
		for _, v := range dep {
			sum += v
		}
		if share := dep["53"] / sum; share > 0.015 {
			t.Errorf("NTT share of procedural departures %.3f, want < 0.015", share)
		}
	})
	t.Run("poverty by province", func(t *testing.T) {
		for p, want := range ProvincePoverty() {
			xs := pov[p]
			if len(xs) == 0 {
				continue
			}
			m := 0.0
			for _, x := range xs {
				m += x
			}
			m /= float64(len(xs))
			if !within(m, want, 0.08*want) {
				t.Errorf("province %s: mean kabupaten poverty %.2f, want %.2f ± 8%%", p, m, want)
			}
		}
	})

	t.Run("desa binaan", func(t *testing.T) {
		by := map[string]int{}
		for _, d := range ds.DesaBinaan {
			by[d.Code[:2]]++
		}
		for _, c := range []struct {
			prov string
			n    int
		}{{"21", 71}, {"33", 44}} {
			if by[c.prov] != c.n {
				t.Errorf("province %s: %d desa binaan, want %d", c.prov, by[c.prov], c.n)
			}
		}
	})

	t.Run("incidents", func(t *testing.T) {
		n := map[string]int{}
		originProv := map[string]map[string]int{"pmi": {}, "tppo": {}}
		victims := map[string]int{}
		atExit, withP := 0, 0
		exitKab := map[string]bool{}
		for _, e := range exitKabs() {
			k, _ := w.KabByName(e.Name)
			exitKab[w.Kabs[k].Code] = true
		}
		for _, e := range officialExits() {
			k, _ := w.KabByName(e.Kab)
			exitKab[w.Kabs[k].Code] = true
		}
		half := map[bool]int{}
		mid := monthStart(Months / 2)
		for _, in := range ds.Incidents {
			n[in.Kind]++
			if in.On.After(t0) || in.On.Before(monthStart(0)) {
				t.Errorf("%s on %s outside the history", in.ID, date(in.On))
			}
			if in.Kind == "overstay" {
				continue
			}
			prov := in.DesaCode[:2]
			originProv[in.Kind][prov]++
			if in.Kind == "tppo" {
				victims[prov] += in.Victims
			}
			half[!in.On.Before(mid)]++
			if in.Kind == "pmi" && in.HasP {
				withP++
				if exitKab[locateKab(w, in.P)] {
					atExit++
				}
			}
		}
		cfg := ds.Config
		for kind, want := range map[string]int{"pmi": cfg.PMI, "tppo": cfg.TPPO} {
			if !within(float64(n[kind]), float64(want), 0.15*float64(want)) {
				t.Errorf("%d %s incidents, want %d ± 15%%", n[kind], kind, want)
			}
		}
		if n["overstay"] == 0 {
			t.Error("no overstay findings")
		}
		// Stationary process: the two halves of the history are alike.
		if r := float64(half[true]) / float64(half[false]); r < 0.8 || r > 1.25 {
			t.Errorf("second/first half incident ratio %.2f, want 0.8–1.25 (stable process)", r)
		}
		ntt := float64(originProv["pmi"]["53"]) / float64(n["pmi"])
		t.Logf("NTT: %.1f%% of PMI interceptions by origin", 100*ntt)
		if ntt < 0.08 {
			t.Errorf("NTT origin share of PMI interceptions %.3f, want ≥ 0.08 (many irregular departures)", ntt)
		}
		rank := 1
		for p, v := range victims {
			if p != "53" && v > victims["53"] {
				rank++
			}
		}
		t.Logf("NTT: rank %d by TPPO victims (%d)", rank, victims["53"])
		if rank > 3 {
			t.Errorf("NTT ranks %d by TPPO victims, want top 3", rank)
		}
		share := float64(atExit) / float64(withP)
		t.Logf("PMI interceptions located in exit-route kabupaten: %.1f%%", 100*share)
		if share < 0.4 {
			t.Errorf("only %.2f of located PMI interceptions are on exit routes, want ≥ 0.40", share)
		}
	})
}

// TestSizes: the named sizes exist and bad names are refused.
func TestSizes(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{{"demo", true}, {"national", true}, {"huge", false}, {"", false}} {
		cfg, err := SizeByName(c.name)
		if (err == nil) != c.ok {
			t.Errorf("SizeByName(%q): err %v, want ok=%v", c.name, err, c.ok)
		}
		if c.ok && cfg.Residents <= 0 {
			t.Errorf("%s: no residents", c.name)
		}
	}
}
