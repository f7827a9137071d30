package letter_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/recoup/recoup/letter"
)

func renderer(t testing.TB) *letter.Renderer {
	t.Helper()
	r, err := letter.NewRenderer("", "")
	if errors.Is(err, letter.ErrNoFont) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func sample(locale string) letter.Letter {
	l := letter.Letter{
		Locale:    locale,
		Company:   letter.Party{Name: "Demo Trading Co.", Address: []string{"88 Century Avenue", "Shanghai 200120"}, Phone: "+86 21 5555 0100", Email: "ar@demo.example"},
		Customer:  letter.Party{Name: "Acme Ltd.", Address: []string{"1 Main Street"}},
		Date:      "Mar 16, 2026",
		Reference: "INV-0042",
		Body:      "Dear Acme Ltd.,\n\nDespite our earlier reminder, invoice INV-0042 remains unpaid.\n\nPlease settle it within 7 days.",
		Invoices: []letter.Line{
			{Number: "INV-0042", DueDate: "Feb 1, 2026", Amount: "CNY 12,000.00", Balance: "CNY 12,000.00", DaysOverdue: 43},
			{Number: "INV-0043", DueDate: "Feb 9, 2026", Amount: "CNY 3,500.00", Balance: "CNY 1,500.00", DaysOverdue: 35},
		},
		Total:     "CNY 13,500.00",
		Signature: "Accounts Receivable, Demo Trading Co.",
	}
	if locale == "zh-CN" {
		l.Company = letter.Party{Name: "示范贸易有限公司", Address: []string{"上海市浦东新区世纪大道88号"}, Phone: "021-5555 0100"}
		l.Customer = letter.Party{Name: "北京某某科技有限公司"}
		l.Date = "2026年3月16日"
		l.Body = "尊敬的 北京某某科技有限公司：\n\n尽管我们此前已发出提醒，发票 INV-0042（金额 ¥12,000.00，到期日 2026年2月1日）仍未支付，已逾期 43 天。请于7日内付清，或与我们联系商定付款安排。本函同时抄送贵司财务部门。"
		l.Total = "¥13,500.00"
		l.Signature = "示范贸易有限公司 应收账款部"
	}
	return l
}

func TestRender(t *testing.T) {
	r := renderer(t)
	for _, locale := range []string{"en", "zh-CN"} {
		t.Run(locale, func(t *testing.T) {
			t.Parallel()
			pdf, err := r.Render(sample(locale))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf[len(pdf)-64:], []byte("%%EOF")) {
				t.Fatalf("not a PDF: %q…", pdf[:min(len(pdf), 16)])
			}
			// the font is embedded as a subset, not referenced
			if !bytes.Contains(pdf, []byte("/FontFile2")) {
				t.Error("no embedded TrueType font program")
			}
			if len(pdf) > 400_000 {
				t.Errorf("PDF is %d bytes: the font was not subset", len(pdf))
			}
		})
	}
}

func TestRenderReportsMissingGlyphs(t *testing.T) {
	r := renderer(t)
	l := sample("en")
	l.Customer.Name = "Acme \u0915" // Devanagari, which neither font has
	_, err := r.Render(l)
	if !errors.Is(err, letter.ErrMissingGlyphs) || !strings.Contains(err.Error(), "\u0915") {
		t.Fatalf("err = %v, want ErrMissingGlyphs naming the letter", err)
	}
	// the renderer stays usable
	if _, err := r.Render(sample("zh-CN")); err != nil {
		t.Fatal(err)
	}
}

func TestFilename(t *testing.T) {
	if got := (letter.Letter{Reference: "INV/2026 #7"}).Filename(); got != "letter-INV-2026--7.pdf" {
		t.Errorf("Filename = %q", got)
	}
}

// BenchmarkRender measures one zh-CN letter (target ≤ 50 ms).
func BenchmarkRender(b *testing.B) {
	r := renderer(b)
	l := sample("zh-CN")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(l); err != nil {
			b.Fatal(err)
		}
	}
}
