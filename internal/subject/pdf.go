package subject

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
)

// WritePDF writes the report as an A4 document for the person: the request,
// each record field by field, the imports that wrote them and the audited
// accesses. Text goes through fpdf's cp1252 translator (Helvetica has no
// other glyphs): characters outside it, e.g. a name in Chinese script, print
// as "?" — the CSV holds them exactly.
func (rep *Report) WritePDF(w io.Writer) error {
	const left, width = 14.0, 182.0
	f := fpdf.New("P", "mm", "A4", "")
	tr := f.UnicodeTranslatorFromDescriptor("")
	f.SetMargins(left, 14, 14)
	f.SetAutoPageBreak(true, 16)
	f.SetTitle("Subject access report", true)
	f.SetCreator("Waspada", true)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-12)
		f.SetFont("Helvetica", "", 7.5)
		f.CellFormat(width, 5, tr(fmt.Sprintf("RAHASIA - data pribadi (UU 27/2022) · Waspada · %s · hlm. %d/{nb}",
			rep.GeneratedAt.Format("2006-01-02 15:04 UTC"), f.PageNo())), "", 0, "R", false, 0, "")
	})
	f.AddPage()
	f.SetFont("Helvetica", "B", 15)
	f.MultiCell(width, 7, tr("Laporan akses subjek data / Subject access report"), "", "L", false)
	f.SetFont("Helvetica", "", 9.5)
	f.MultiCell(width, 5, tr(fmt.Sprintf("Passport %s · subject id %s · generated %s by %s",
		rep.Passport, orDash(rep.SubjectID), rep.GeneratedAt.Format(time.RFC3339), rep.GeneratedBy)), "", "L", false)
	f.Ln(2)
	heading := func(s string) {
		f.Ln(2)
		f.SetFont("Helvetica", "B", 11.5)
		f.MultiCell(width, 6, tr(s), "", "L", false)
		f.SetFont("Helvetica", "", 8.5)
	}
	pair := func(k, v string) {
		f.SetFont("Helvetica", "B", 8.5)
		f.CellFormat(45, 4.6, tr(k), "", 0, "L", false, 0, "")
		f.SetFont("Helvetica", "", 8.5)
		f.MultiCell(width-45, 4.6, tr(v), "", "L", false)
	}
	heading(fmt.Sprintf("Records held (%d)", len(rep.Records)))
	if len(rep.Records) == 0 {
		f.MultiCell(width, 5, tr("No record with a name or passport is held under this passport number."), "", "L", false)
	}
	for _, r := range rep.Records {
		f.SetFont("Helvetica", "B", 9.5)
		f.MultiCell(width, 5.5, tr("Record "+r.ID), "", "L", false)
		for _, fl := range r.Fields {
			pair(fl.Name, orDash(fl.Value))
		}
		f.Ln(1.5)
	}
	heading(fmt.Sprintf("Imports that wrote these records (%d entries)", len(rep.Imports)))
	for _, im := range rep.Imports {
		effect := "replaced an earlier version"
		if im.Added {
			effect = "added"
		}
		f.MultiCell(width, 4.6, tr(fmt.Sprintf("#%d · %s · %s %s · by %s · %s: %s %s", im.ID, im.At.UTC().Format("2006-01-02 15:04"),
			im.Kind, im.Source, im.RunBy, im.Table, im.RecordID, effect)), "", "L", false)
		if im.Prior != "" {
			f.SetTextColor(80, 80, 80)
			f.MultiCell(width, 4.2, tr("earlier version kept for undo: "+im.Prior), "", "L", false)
			f.SetTextColor(0, 0, 0)
		}
	}
	heading(fmt.Sprintf("Audited accesses that may have shown them (%d)", len(rep.Accesses)))
	cols := []struct {
		name string
		w    float64
	}{{"audit", 14}, {"when (UTC)", 28}, {"who", 28}, {"role", 24}, {"action", 16}, {"layer", 22}, {"where", 30}, {"record", 20}}
	f.SetFont("Helvetica", "B", 8)
	for _, c := range cols {
		f.CellFormat(c.w, 5, tr(c.name), "B", 0, "L", false, 0, "")
	}
	f.Ln(-1)
	f.SetFont("Helvetica", "", 8)
	for _, a := range rep.Accesses {
		vals := []string{strconv.FormatInt(a.AuditID, 10), a.At.UTC().Format("2006-01-02 15:04"), a.Username, a.Role, a.Action, a.Layer, a.Where, orDash(a.RecordID)}
		for i, c := range cols {
			f.CellFormat(c.w, 4.6, clip(f, tr(vals[i]), c.w-1), "", 0, "L", false, 0, "")
		}
		f.Ln(-1)
	}
	if err := f.Output(w); err != nil {
		return fmt.Errorf("write PDF: %w", err)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// clip shortens s (already translated) to fit w mm in the current font.
func clip(f *fpdf.Fpdf, s string, w float64) string {
	for len(s) > 1 && f.GetStringWidth(s) > w {
		s = s[:len(s)-1]
	}
	return s
}
