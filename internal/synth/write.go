package synth

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/paulmach/orb"
)

// Files lists the output files in import order (worksites before
// residences, which refer to them) with the import kind of each.
func Files() []struct{ File, Kind string } {
	return []struct{ File, Kind string }{
		{"worksites.csv", "worksites"},
		{"residences.csv", "residences"},
		{"ports.csv", "ports"},
		{"desa-binaan.csv", "desa-binaan"},
		{"incidents.csv", "incidents"},
		{"indicators.csv", "indicators"},
	}
}

// Headers are the CSV headers exactly as in data/README.md.
func Headers() map[string][]string {
	return map[string][]string{
		"residences":  {"id", "nationality", "permit_type", "permit_expiry", "arrival_date", "address_kind", "hotel_name", "check_in", "check_out", "reported_on", "worksite_id", "full_name", "passport_number", "lat", "lon"},
		"worksites":   {"id", "name", "company", "sector", "foreign_workers", "local_workers", "lat", "lon"},
		"ports":       {"id", "name", "kind", "note", "lat", "lon"},
		"desa-binaan": {"desa_code", "established_on", "note"},
		"incidents":   {"id", "kind", "occurred_on", "victims", "desa_code", "lat", "lon", "note"},
		"indicators":  {"kabupaten_code", "period", "indicator", "value"},
	}
}

// WriteDir writes every file into dir (created if missing) and returns the
// byte size of each, by file name.
func (ds *Dataset) WriteDir(dir string) (map[string]int64, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	sizes := map[string]int64{}
	for _, f := range Files() {
		path := filepath.Join(dir, f.File)
		n, err := ds.writeFile(path, f.Kind)
		if err != nil {
			return nil, err
		}
		sizes[f.File] = n
	}
	return sizes, nil
}

func (ds *Dataset) writeFile(path, kind string) (int64, error) {
	tmp := path + ".tmp"
	fh, err := os.Create(tmp)
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", tmp, err)
	}
	cw := &countWriter{w: fh}
	if err := ds.Write(cw, kind); err != nil {
		fh.Close()
		os.Remove(tmp)
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := fh.Close(); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("close %s: %w", path, err)
	}
	// Rename last so a reader never sees a half-written file.
	if err := os.Rename(tmp, path); err != nil {
		return 0, fmt.Errorf("rename %s: %w", tmp, err)
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func coord(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func latlon(p orb.Point) (string, string) { return coord(p[1]), coord(p[0]) }

// Write writes one kind as CSV.
func (ds *Dataset) Write(w io.Writer, kind string) error {
	head, ok := Headers()[kind]
	if !ok {
		return fmt.Errorf("unknown kind %q", kind)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	if err := cw.Write(head); err != nil {
		return err
	}
	rec := make([]string, len(head))
	put := func() error { return cw.Write(rec) }
	var err error
	switch kind {
	case "residences":
		for i := range ds.Residents {
			r := &ds.Residents[i]
			addr := "residence"
			if r.Hotel {
				addr = "hotel"
			}
			la, lo := latlon(r.P)
			rec = append(rec[:0], r.ID, r.Nationality, r.Permit, date(r.Expiry), date(r.Arrival), addr, r.HotelName,
				date(r.CheckIn), date(r.CheckOut), date(r.Reported), r.WorksiteID, r.FullName, r.Passport, la, lo)
			if err = put(); err != nil {
				return err
			}
		}
	case "worksites":
		for _, s := range ds.Worksites {
			la, lo := latlon(s.P)
			rec = append(rec[:0], s.ID, s.Name, s.Company, s.Sector, strconv.Itoa(s.Foreign), strconv.Itoa(s.Local), la, lo)
			if err = put(); err != nil {
				return err
			}
		}
	case "ports":
		for _, p := range ds.Ports {
			la, lo := latlon(p.P)
			rec = append(rec[:0], p.ID, p.Name, p.Kind, p.Note, la, lo)
			if err = put(); err != nil {
				return err
			}
		}
	case "desa-binaan":
		for _, d := range ds.DesaBinaan {
			rec = append(rec[:0], d.Code, date(d.Established), d.Note)
			if err = put(); err != nil {
				return err
			}
		}
	case "incidents":
		for _, in := range ds.Incidents {
			la, lo := "", ""
			if in.HasP {
				la, lo = latlon(in.P)
			}
			rec = append(rec[:0], in.ID, in.Kind, date(in.On), strconv.Itoa(in.Victims), in.DesaCode, la, lo, in.Note)
			if err = put(); err != nil {
				return err
			}
		}
	case "indicators":
		for _, x := range ds.Indicators {
			rec = append(rec[:0], x.Kab, x.Period, x.Name, strconv.FormatFloat(x.Value, 'f', x.Precision, 64))
			if err = put(); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
