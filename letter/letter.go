// Package letter renders formal collection letters (催款函) as PDF: a
// letterhead, the addressee, the rendered template text, the list of open
// invoices with a total, and legal text, in English or Simplified Chinese.
//
// Chinese needs a font with CJK glyphs. The font is a TrueType file read
// from the local disk when the renderer is built — never downloaded — and
// subset into each PDF. Debian's fonts-droid-fallback package provides one
// (see [DefaultFontPaths]); RECOUP_LETTER_FONT or [NewRenderer]'s argument
// names another.
package letter

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/signintech/gopdf"
)

// DefaultCJKFonts are tried in order when no CJK font is configured. Each
// is a TrueType (glyf) font with CJK coverage; OpenType/CFF and .ttc
// collections are not supported by the PDF library.
var DefaultCJKFonts = []string{
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", // Debian fonts-droid-fallback
	"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",    // Debian fonts-arphic-gbsn00lp
}

// DefaultLatinFonts are tried for everything that is not CJK (Latin
// letters, digits, currency signs); CJK fonts often lack them.
var DefaultLatinFonts = []string{
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",                 // Debian fonts-dejavu-core
	"/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", // Debian fonts-liberation
}

// Variables that override the font paths.
const (
	EnvFont      = "RECOUP_LETTER_FONT"       // the CJK font
	EnvLatinFont = "RECOUP_LETTER_LATIN_FONT" // the Latin font
)

// ErrNoFont is returned when a font is neither configured nor installed.
var ErrNoFont = errors.New("letter fonts not found: install Debian's fonts-droid-fallback and fonts-dejavu-core, or set " + EnvFont + " and " + EnvLatinFont)

// FindFonts returns the font paths to use: the environment's, else the
// first installed of the defaults.
func FindFonts() (latin, cjk string, err error) {
	find := func(env string, defaults []string) (string, error) {
		if p := os.Getenv(env); p != "" {
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("%s: %w", env, err)
			}
			return p, nil
		}
		for _, p := range defaults {
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
		return "", ErrNoFont
	}
	if latin, err = find(EnvLatinFont, DefaultLatinFonts); err != nil {
		return "", "", err
	}
	if cjk, err = find(EnvFont, DefaultCJKFonts); err != nil {
		return "", "", err
	}
	return latin, cjk, nil
}

// Party is a letterhead or an addressee.
type Party struct {
	Name    string
	Address []string // lines
	Phone   string
	Email   string
}

// Line is one invoice listed in the letter; amounts and dates are already
// formatted for the letter's locale.
type Line struct {
	Number      string
	DueDate     string
	Amount      string
	Balance     string
	DaysOverdue int
}

// Letter is everything a letter shows. Empty fields are left out; Title
// and Legal default to the locale's standard texts.
type Letter struct {
	Locale    string // "en" or "zh-CN"
	Company   Party  // letterhead
	Customer  Party  // addressee
	Date      string // formatted
	Reference string // e.g. the invoice number or the message key
	Title     string
	Body      string // paragraphs separated by blank lines
	Invoices  []Line
	Total     string
	Legal     string
	Signature string
}

// Filename is a download name for l.
func (l Letter) Filename() string {
	ref := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, l.Reference)
	if ref == "" {
		ref = "letter"
	}
	return "letter-" + ref + ".pdf"
}

type texts struct {
	title, legal, ref, date, to, invoice, due, amount, balance, overdue, total, colon string
}

var localeTexts = map[string]texts{
	"en": {
		title:   "Formal notice of overdue payment",
		legal:   "This letter is a formal demand for payment. If the amount above is not paid or a payment arrangement agreed within 7 days of the date of this letter, we reserve the right to charge late fees as agreed and to take further steps to recover the debt, including legal action, without further notice. If you have already paid, please disregard this letter and accept our thanks.",
		ref:     "Reference",
		date:    "Date",
		to:      "To",
		invoice: "Invoice",
		due:     "Due date",
		amount:  "Amount",
		balance: "Outstanding",
		overdue: "Days overdue",
		total:   "Total outstanding",
		colon:   ": ",
	},
	"zh-CN": {
		title:   "催款函",
		legal:   "本函为正式付款催告。如贵司未能在本函日期起7日内支付上述款项或与我司达成付款安排，我司保留依约收取滞纳金并采取包括法律诉讼在内的进一步措施追收欠款的权利，恕不另行通知。如贵司已付款，请忽略本函，并谨致谢意。",
		ref:     "编号",
		date:    "日期",
		to:      "致",
		invoice: "发票号",
		due:     "到期日",
		amount:  "金额",
		balance: "未付金额",
		overdue: "逾期天数",
		total:   "未付合计",
		colon:   "：",
	},
}

// Renderer renders letters with parsed fonts; it is safe for concurrent
// use (renders are serialized: the parsed font tables are shared).
type Renderer struct {
	fonts   *gopdf.FontContainer
	mu      sync.Mutex
	missing []rune // glyphs the fonts lacked in the current render
}

// ErrMissingGlyphs is returned when the fonts have no glyph for some of a
// letter's characters: a formal letter must not go out with blanks.
var ErrMissingGlyphs = errors.New("the letter fonts have no glyph for")

const (
	latinFamily = "latin"
	cjkFamily   = "cjk"
)

// NewRenderer parses the two TrueType fonts; empty paths mean [FindFonts].
func NewRenderer(latinPath, cjkPath string) (*Renderer, error) {
	if latinPath == "" || cjkPath == "" {
		l, c, err := FindFonts()
		if err != nil {
			return nil, err
		}
		if latinPath == "" {
			latinPath = l
		}
		if cjkPath == "" {
			cjkPath = c
		}
	}
	r := &Renderer{fonts: &gopdf.FontContainer{}}
	opt := gopdf.TtfOption{
		OnGlyphNotFound:           func(c rune) { r.missing = append(r.missing, c) },
		OnGlyphNotFoundSubstitute: gopdf.DefaultOnGlyphNotFoundSubstitute,
	}
	for fam, path := range map[string]string{latinFamily: latinPath, cjkFamily: cjkPath} {
		if err := r.fonts.AddTTFFontWithOption(fam, path, opt); err != nil {
			return nil, fmt.Errorf("loading letter font %s: %w", path, err)
		}
	}
	return r, nil
}

// A4 layout in points.
const (
	pageW, pageH = 595.28, 841.89
	margin       = 56.0
	bodyW        = pageW - 2*margin
)

// Render returns l as a PDF document.
func (r *Renderer) Render(l Letter) ([]byte, error) {
	t, ok := localeTexts[l.Locale]
	if !ok {
		t = localeTexts["en"]
	}
	if l.Title == "" {
		l.Title = t.title
	}
	if l.Legal == "" {
		l.Legal = t.legal
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.missing = r.missing[:0]
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	pdf.SetInfo(gopdf.PdfInfo{Title: l.Title, Author: l.Company.Name, Creator: "recoup"})
	for _, fam := range []string{latinFamily, cjkFamily} {
		if err := pdf.AddTTFFontFromFontContainer(fam, r.fonts); err != nil {
			return nil, err
		}
	}
	w := &writer{pdf: pdf}
	w.newPage()

	// Letterhead.
	w.text(l.Company.Name, 16, 0)
	for _, a := range l.Company.Address {
		w.text(a, 9, 0)
	}
	contact := strings.TrimSpace(strings.Join(nonEmpty(l.Company.Phone, l.Company.Email), "  ·  "))
	w.text(contact, 9, 0)
	w.rule()
	w.gap(6)

	// Addressee, date, reference.
	if l.Customer.Name != "" {
		w.text(t.to+t.colon+l.Customer.Name, 11, 0)
		for _, a := range l.Customer.Address {
			w.text(a, 10, 0)
		}
	}
	if l.Date != "" {
		w.text(t.date+t.colon+l.Date, 10, 0)
	}
	if l.Reference != "" {
		w.text(t.ref+t.colon+l.Reference, 10, 0)
	}
	w.gap(12)
	w.centered(l.Title, 15)
	w.gap(10)

	for _, para := range strings.Split(strings.TrimSpace(l.Body), "\n\n") {
		w.paragraph(strings.Join(strings.Fields(para), " "), 11)
		w.gap(6)
	}

	if len(l.Invoices) > 0 {
		w.gap(4)
		cols := []float64{112, 92, 102, 102, bodyW - 408}
		w.row(cols, 10, true, t.invoice, t.due, t.amount, t.balance, t.overdue)
		for _, in := range l.Invoices {
			w.row(cols, 10, false, in.Number, in.DueDate, in.Amount, in.Balance, fmt.Sprint(in.DaysOverdue))
		}
		if l.Total != "" {
			w.row([]float64{306, bodyW - 306}, 10, true, t.total, l.Total)
		}
		w.gap(8)
	}
	w.paragraph(l.Legal, 9)
	if l.Signature != "" {
		w.gap(16)
		w.text(l.Signature, 11, 0)
	}
	if w.err != nil {
		return nil, w.err
	}
	if len(r.missing) > 0 {
		return nil, fmt.Errorf("%w %q", ErrMissingGlyphs, uniq(r.missing))
	}
	return pdf.GetBytesPdfReturnErr()
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func uniq(rs []rune) string {
	seen := map[rune]bool{}
	var b strings.Builder
	for _, r := range rs {
		if !seen[r] {
			seen[r] = true
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isCJK reports whether r is drawn with the CJK font: CJK scripts and
// punctuation, kana, hangul, and full-width forms.
func isCJK(r rune) bool {
	return r >= 0x2E80 && r <= 0x9FFF || r >= 0xAC00 && r <= 0xD7AF || r >= 0xF900 && r <= 0xFAFF ||
		r >= 0xFE30 && r <= 0xFE4F || r >= 0xFF00 && r <= 0xFFEF || r >= 0x20000 && r <= 0x3FFFF
}

// run is a piece of text drawn with one font.
type run struct {
	text string
	cjk  bool
}

func runsOf(s string) []run {
	var out []run
	start := 0
	for i, r := range s {
		c := isCJK(r)
		if i > start && c != out[len(out)-1].cjk {
			start = i
		}
		if i == start {
			out = append(out, run{cjk: c})
		}
		out[len(out)-1].text = s[start : i+len(string(r))]
	}
	return out
}

// writer lays text out top to bottom and breaks pages; the first error
// sticks.
type writer struct {
	pdf *gopdf.GoPdf
	y   float64
	err error
}

func (w *writer) newPage() {
	w.pdf.AddPage()
	w.y = margin
}

func (w *writer) need(h float64) {
	if w.y+h > pageH-margin {
		w.newPage()
	}
}

func (w *writer) gap(h float64) { w.y += h }

func (w *writer) setFont(cjk bool, size float64) {
	fam := latinFamily
	if cjk {
		fam = cjkFamily
	}
	if err := w.pdf.SetFont(fam, "", size); err != nil && w.err == nil {
		w.err = err
	}
}

// width measures s at size, run by run.
func (w *writer) width(s string, size float64) float64 {
	total := 0.0
	for _, r := range runsOf(s) {
		w.setFont(r.cjk, size)
		wd, err := w.pdf.MeasureTextWidth(r.text)
		if err != nil && w.err == nil {
			w.err = err
		}
		total += wd
	}
	return total
}

// draw writes s at (x, w.y) without moving down.
func (w *writer) draw(s string, size, x float64) {
	for _, r := range runsOf(s) {
		w.setFont(r.cjk, size)
		w.pdf.SetXY(x, w.y)
		if err := w.pdf.Cell(nil, r.text); err != nil && w.err == nil {
			w.err = err
		}
		wd, _ := w.pdf.MeasureTextWidth(r.text)
		x += wd
	}
}

func (w *writer) text(s string, size, x float64) {
	if s == "" || w.err != nil {
		return
	}
	h := size * 1.45
	w.need(h)
	w.draw(s, size, margin+x)
	w.y += h
}

func (w *writer) centered(s string, size float64) {
	if w.err != nil {
		return
	}
	h := size * 1.5
	w.need(h)
	w.draw(s, size, margin+(bodyW-w.width(s, size))/2)
	w.y += h
}

func (w *writer) rule() {
	w.y += 4
	w.pdf.SetLineWidth(0.6)
	w.pdf.Line(margin, w.y, pageW-margin, w.y)
	w.y += 4
}

// paragraph wraps s to the body width: between words for Latin text and
// between any two characters of CJK text (which has no spaces).
func (w *writer) paragraph(s string, size float64) {
	if s == "" || w.err != nil {
		return
	}
	var tokens []string
	start := -1
	for i, r := range s {
		if r == ' ' || isCJK(r) {
			if start >= 0 {
				tokens = append(tokens, s[start:i])
				start = -1
			}
			tokens = append(tokens, string(r))
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		tokens = append(tokens, s[start:])
	}
	var line strings.Builder
	lineW := 0.0
	for _, tok := range tokens {
		tw := w.width(tok, size)
		// Closing punctuation never starts a line: it may overhang.
		if lineW+tw > bodyW && line.Len() > 0 && !strings.ContainsAny(tok, noLineStart) {
			w.text(strings.TrimRight(line.String(), " "), size, 0)
			line.Reset()
			lineW = 0
			if tok == " " {
				continue
			}
		}
		line.WriteString(tok)
		lineW += tw
	}
	w.text(strings.TrimRight(line.String(), " "), size, 0)
}

// noLineStart are characters a line must not begin with.
const noLineStart = "，。、；：！？）》」』】,.;:!?)"

// row draws one table row in columns of the given widths, ruled below (and
// above for a header).
func (w *writer) row(cols []float64, size float64, header bool, cells ...string) {
	if w.err != nil {
		return
	}
	h := size * 1.9
	w.need(h)
	w.pdf.SetLineWidth(0.4)
	if header {
		w.pdf.Line(margin, w.y, pageW-margin, w.y)
	}
	x := margin
	y := w.y
	w.y += size * 0.45
	for i, c := range cells {
		w.draw(c, size, x+2)
		x += cols[i]
	}
	w.y = y + h
	w.pdf.Line(margin, w.y, pageW-margin, w.y)
}
