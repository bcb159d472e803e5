package workflow

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// doc wraps fpdf with the house style of Waspada briefings: A4 portrait,
// Helvetica (text goes through the cp1252 translator: Bahasa Indonesia needs
// nothing outside it), a header line and a footer with page numbers and the
// classification.
type doc struct {
	f  *fpdf.Fpdf
	tr func(string) string
}

const (
	pageW   = 210.0
	marginL = 14.0
	marginR = 14.0
	bodyW   = pageW - marginL - marginR
)

func newDoc(title, classification string, generated time.Time) *doc {
	f := fpdf.New("P", "mm", "A4", "")
	cp1252 := f.UnicodeTranslatorFromDescriptor("")
	// geo/present writes the typographic minus, which cp1252 lacks: the en dash reads the same.
	sign := strings.NewReplacer("\u2212", "\u2013")
	d := &doc{f: f, tr: func(s string) string { return cp1252(sign.Replace(s)) }}
	f.SetMargins(marginL, 14, marginR)
	f.SetAutoPageBreak(true, 16)
	f.SetTitle(title, true)
	f.SetCreator("Waspada", true)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-12)
		f.SetFont("Helvetica", "", 7.5)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(bodyW/2, 5, d.tr(classification), "", 0, "L", false, 0, "")
		f.CellFormat(bodyW/2, 5, d.tr(fmt.Sprintf("Waspada · dibuat %s · hlm. %d/{nb}", tanggal(generated, true), f.PageNo())), "", 0, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	f.AddPage()
	return d
}

func (d *doc) title(main, sub string) {
	d.f.SetFont("Helvetica", "B", 15)
	d.f.MultiCell(bodyW, 7, d.tr(main), "", "L", false)
	if sub != "" {
		d.f.SetFont("Helvetica", "", 10)
		d.f.SetTextColor(60, 60, 60)
		d.f.MultiCell(bodyW, 5, d.tr(sub), "", "L", false)
		d.f.SetTextColor(0, 0, 0)
	}
	d.f.SetDrawColor(180, 30, 30)
	d.f.SetLineWidth(0.6)
	y := d.f.GetY() + 1.5
	d.f.Line(marginL, y, pageW-marginR, y)
	d.f.SetLineWidth(0.2)
	d.f.SetDrawColor(0, 0, 0)
	d.f.Ln(4)
}

func (d *doc) heading(s string) { d.headingKeep(s, 18) }

// headingKeep starts a new page unless the heading and keep mm of what
// follows fit on this one (a heading is never left alone at a page foot).
func (d *doc) headingKeep(s string, keep float64) {
	d.ensure(keep)
	d.f.Ln(2)
	d.f.SetFont("Helvetica", "B", 11.5)
	d.f.CellFormat(bodyW, 6.5, d.tr(s), "", 1, "L", false, 0, "")
}

func (d *doc) para(s string) {
	d.f.SetFont("Helvetica", "", 9)
	d.f.MultiCell(bodyW, 4.4, d.tr(s), "", "L", false)
	d.f.Ln(1)
}

func (d *doc) note(s string) {
	d.f.SetFont("Helvetica", "I", 7.8)
	d.f.SetTextColor(80, 80, 80)
	d.f.MultiCell(bodyW, 3.8, d.tr(s), "", "L", false)
	d.f.SetTextColor(0, 0, 0)
	d.f.Ln(1)
}

// ensure starts a new page when less than h mm remain.
func (d *doc) ensure(h float64) {
	_, pageH := d.f.GetPageSize()
	if d.f.GetY()+h > pageH-18 {
		d.f.AddPage()
	}
}

type column struct {
	title string
	w     float64 // mm; the widths of a table should add up to bodyW
	align string  // L, C, R
}

// table draws a header and rows, repeating the header after page breaks;
// cell text that does not fit is cut with an ellipsis. colour, when set,
// paints a small swatch in the first column of a row.
func (d *doc) table(cols []column, rows [][]string, swatch func(row int) (r, g, b int, ok bool)) {
	const rh = 5.2
	header := func() {
		d.f.SetFont("Helvetica", "B", 8)
		d.f.SetFillColor(232, 232, 232)
		for _, c := range cols {
			d.f.CellFormat(c.w, rh+0.6, d.tr(c.title), "1", 0, c.align, true, 0, "")
		}
		d.f.Ln(-1)
		d.f.SetFont("Helvetica", "", 8)
	}
	_, pageH := d.f.GetPageSize()
	room := func() int { return int((pageH - 18 - d.f.GetY()) / rh) }
	// A header with fewer than three rows under it starts on the next page.
	if room() < min(len(rows), 3)+1 {
		d.f.AddPage()
	}
	header()
	breakAt := -1 // the row that starts the next page, when earlier than forced
	if n := room(); n < len(rows) && len(rows)-n < 3 {
		// No orphans: at least three rows carry over to the next page.
		breakAt = max(1, len(rows)-3)
	}
	for i, row := range rows {
		if d.f.GetY()+rh > pageH-18 || i == breakAt {
			d.f.AddPage()
			header()
			if n := room(); n < len(rows)-i && len(rows)-i-n < 3 {
				breakAt = max(i+1, len(rows)-3)
			}
		}
		fill := i%2 == 1
		d.f.SetFillColor(247, 247, 247)
		x0, y0 := d.f.GetX(), d.f.GetY()
		for j, c := range cols {
			txt := ""
			if j < len(row) {
				cell := row[j]
				if j == 0 && swatch != nil {
					cell = "     " + cell // room for the swatch
				}
				txt = d.fit(cell, c.w-1.6)
			}
			d.f.CellFormat(c.w, rh, txt, "1", 0, c.align, fill, 0, "")
		}
		if swatch != nil {
			if r, g, b, ok := swatch(i); ok {
				d.f.SetFillColor(r, g, b)
				d.f.Rect(x0+0.8, y0+1.1, 2.2, rh-2.2, "F")
			}
		}
		d.f.Ln(-1)
	}
	d.f.Ln(2)
}

// fit translates s and cuts it to width w (mm) in the current font.
func (d *doc) fit(s string, w float64) string {
	t := d.tr(s)
	if d.f.GetStringWidth(t) <= w {
		return t
	}
	ell := d.tr("…")
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		t = d.tr(string(r)) + ell
		if d.f.GetStringWidth(t) <= w {
			return t
		}
	}
	return ell
}

// image places a PNG at the current position, w mm wide, and returns its
// top-left corner and scale (mm per pixel) for overlays.
func (d *doc) image(name string, png []byte, pxW, pxH int, w float64) (x, y, mmPerPx float64) {
	h := w * float64(pxH) / float64(pxW)
	d.ensure(h + 2)
	x, y = d.f.GetX(), d.f.GetY()
	d.f.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	d.f.ImageOptions(name, x, y, w, h, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	d.f.SetDrawColor(150, 150, 150)
	d.f.Rect(x, y, w, h, "D")
	d.f.SetDrawColor(0, 0, 0)
	d.f.SetY(y + h + 2)
	return x, y, w / float64(pxW)
}

func (d *doc) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.f.Output(&buf); err != nil {
		return nil, fmt.Errorf("render pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// ---------------------------------------------------------------- Indonesian formatting

func bulan(m time.Month) string {
	return [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
		"September", "Oktober", "November", "Desember"}[m-1]
}

// tanggal formats a date the Indonesian way ("24 November 2026", optionally
// with the time in WIB).
func tanggal(t time.Time, withTime bool) string {
	t = t.In(time.FixedZone("WIB", 7*3600))
	s := fmt.Sprintf("%d %s %d", t.Day(), bulan(t.Month()), t.Year())
	if withTime {
		s += t.Format(" 15.04") + " WIB"
	}
	return s
}

func periode(t time.Time) string { return bulan(t.Month()) + " " + strconv.Itoa(t.Year()) }

// angka formats an integer with '.' thousands separators.
func angka(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// desimal formats a number with prec decimals, ',' as decimal separator and
// '.' thousands separators.
func desimal(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', prec, 64)
	ip, fp, _ := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(ip, 10, 64)
	out := angka(n)
	if prec > 0 {
		out += "," + fp
	}
	if v < 0 && strings.Trim(out, "0,.") != "" {
		out = "-" + out
	}
	return out
}

func persen(share float64) string { return desimal(100*share, 1) + "%" }

func mustDate(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}
	}
	return t
}
