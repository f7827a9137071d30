package delivery

import (
	"strings"
	"unicode/utf16"
)

// SMS encodings.
const (
	EncodingGSM7 = "GSM-7"
	EncodingUCS2 = "UCS-2"
)

// SMSLength is how long an SMS is and how many parts it is sent in.
type SMSLength struct {
	// Characters counts what the limits count: GSM-7 septets (a character
	// of the extension table, such as € or [, takes two) or UCS-2 code
	// units (a character outside the Basic Multilingual Plane, such as an
	// emoji, takes two).
	Characters int
	Segments   int
	Encoding   string // EncodingGSM7 or EncodingUCS2
}

// gsmBasic is the GSM 03.38 default alphabet; gsmExtension the characters
// sent through its escape (two septets each).
const (
	gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtension = "\f^{}\\[~]|€"
)

// CountSMS measures text as an SMS: GSM-7 when every character is in the
// GSM alphabet (160 septets in one message, 153 per part of a longer
// one), else UCS-2 (70 in one, 67 per part). An empty text is no message.
func CountSMS(text string) SMSLength {
	septets, gsm := 0, true
	for _, r := range text {
		switch {
		case strings.ContainsRune(gsmBasic, r):
			septets++
		case strings.ContainsRune(gsmExtension, r):
			septets += 2
		default:
			gsm = false
		}
	}
	if gsm {
		return SMSLength{Characters: septets, Segments: segments(septets, 160, 153), Encoding: EncodingGSM7}
	}
	units := len(utf16.Encode([]rune(text)))
	return SMSLength{Characters: units, Segments: segments(units, 70, 67), Encoding: EncodingUCS2}
}

func segments(n, single, part int) int {
	switch {
	case n == 0:
		return 0
	case n <= single:
		return 1
	}
	return (n + part - 1) / part
}
