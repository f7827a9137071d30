package store

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzDecodeStringMap: decodeStringMap gives what json.Unmarshal gives,
// value or error, for any input.
func FuzzDecodeStringMap(f *testing.F) {
	for _, s := range []string{`{}`, ` { } `, `{"po_number":"PO-819023"}`, `{"a":"1", "b" : "2"}`, `{"a":"x\"y"}`,
		`{"a":1}`, `{"a":"1",}`, `{"a":"1"} x`, `{"a":"1","a":"2"}`, `{"é":"ü"}`, `[]`, `null`, ``, `{"a":"1"`, `{"a" "1"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got, want map[string]string
		gotErr := decodeStringMap(b, &got)
		wantErr := json.Unmarshal(b, &want)
		if (gotErr == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %v (%v), encoding/json %v (%v)", b, got, gotErr, want, wantErr)
		}
	})
}
