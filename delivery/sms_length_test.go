package delivery_test

import (
	"strings"
	"testing"

	"github.com/recoup/recoup/delivery"
)

func TestCountSMS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		text       string
		characters int
		segments   int
		encoding   string
	}{
		{"empty", "", 0, 0, delivery.EncodingGSM7},
		{"one", "Invoice INV-1 is due.", 21, 1, delivery.EncodingGSM7},
		{"GSM-7 full single", strings.Repeat("a", 160), 160, 1, delivery.EncodingGSM7},
		{"GSM-7 one over", strings.Repeat("a", 161), 161, 2, delivery.EncodingGSM7},
		{"GSM-7 two full parts", strings.Repeat("a", 306), 306, 2, delivery.EncodingGSM7},
		{"GSM-7 third part", strings.Repeat("a", 307), 307, 3, delivery.EncodingGSM7},
		{"GSM accents stay GSM-7", "Café à Zürich £5 ¥7", 19, 1, delivery.EncodingGSM7},
		{"extension characters count two", "€" + strings.Repeat("a", 158), 160, 1, delivery.EncodingGSM7},
		{"an extension character tips it over", "[" + strings.Repeat("a", 159), 161, 2, delivery.EncodingGSM7},
		{"Chinese is UCS-2", "您的发票已逾期", 7, 1, delivery.EncodingUCS2},
		{"UCS-2 full single", strings.Repeat("欠", 70), 70, 1, delivery.EncodingUCS2},
		{"UCS-2 one over", strings.Repeat("欠", 71), 71, 2, delivery.EncodingUCS2},
		{"UCS-2 two full parts", strings.Repeat("欠", 134), 134, 2, delivery.EncodingUCS2},
		{"UCS-2 third part", strings.Repeat("欠", 135), 135, 3, delivery.EncodingUCS2},
		{"one non-GSM character makes it UCS-2", strings.Repeat("a", 69) + "ç", 70, 1, delivery.EncodingUCS2},
		{"an emoji is two UCS-2 units", "Paid 👍", 7, 1, delivery.EncodingUCS2},
	}
	for _, tt := range tests {
		got := delivery.CountSMS(tt.text)
		want := delivery.SMSLength{Characters: tt.characters, Segments: tt.segments, Encoding: tt.encoding}
		if got != want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, want)
		}
	}
}
