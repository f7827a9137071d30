package engine

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
)

func instanceSamples() [][]byte {
	at := time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC)
	var out [][]byte
	for _, inst := range []Instance{
		{},
		{Workflow: "overdue-escalation", Version: 3, InvoiceID: 42, Run: 1, Status: InstanceRunning, Node: "call", NodeIndex: 1,
			Visits: map[string]int{"reminder": 1, "call": 2}, StartedAt: at, EnteredAt: at.Add(time.Hour), Base: at},
		{ID: 7, Workflow: "w", InvoiceID: 9, Run: 2, Status: InstanceWaiting, NodeIndex: -1, WaitUntil: at.AddDate(0, 0, 3),
			WaitDay: calendar.MustParse("2026-12-02"), Handled: []string{"workflow/w/invoice/9/2/call/1/task#0"}, Pauses: 1,
			PausedReason: "promised", PausedAt: at.In(time.FixedZone("CST", 8*3600)), RoutePause: true},
		{Workflow: "w", Status: InstanceStopped, EndedAt: at, EndReason: `outcome "paid" \ done`, Handled: []string{}, Visits: map[string]int{}},
		{Workflow: "流程", Status: InstanceCompleted, EndReason: "完成"},
	} {
		b, err := json.Marshal(inst)
		if err != nil {
			panic(err)
		}
		out = append(out, b)
	}
	return append(out,
		[]byte(` { "workflow" : "w" , "run" : 1 , "visits" : { "a" : 1 } } `),
		[]byte(`{"workflow":"w","Workflow":"x"}`),
		[]byte(`{"run":01}`), []byte(`{"run":1.0}`), []byte(`{"run":-0}`), []byte(`{"visits":{"a":1},"visits":{"b":2}}`),
		[]byte(`{"handled":null,"node":null}`), []byte(`{"started_at":"2026-11-29"}`), []byte(`{"route_pause":tru}`),
		[]byte(`{"unknown":[1,2,{"x":null}],"run":3}`), []byte(`{"run":3}x`), []byte(``), []byte(`[]`))
}

// TestDecodeInstance: the fast decoder agrees with encoding/json.
func TestDecodeInstance(t *testing.T) {
	for _, b := range instanceSamples() {
		checkDecodeInstance(t, b)
	}
}

func FuzzDecodeInstance(f *testing.F) {
	for _, b := range instanceSamples() {
		f.Add(b)
	}
	f.Fuzz(checkDecodeInstance)
}

func checkDecodeInstance(t *testing.T, b []byte) {
	var want, got Instance
	werr := json.Unmarshal(b, &want)
	gerr := DecodeInstance(b, &got)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%s: encoding/json says %v, DecodeInstance %v", b, werr, gerr)
	}
	if werr == nil && !reflect.DeepEqual(want, got) {
		t.Fatalf("%s:\nencoding/json   %#v\nDecodeInstance  %#v", b, want, got)
	}
	// An InstanceDecoder gives the same, also the second time, from the
	// names it kept the first.
	var dec InstanceDecoder
	for range 2 {
		var again Instance
		derr := dec.Decode(b, &again)
		if (werr == nil) != (derr == nil) {
			t.Fatalf("%s: encoding/json says %v, InstanceDecoder %v", b, werr, derr)
		}
		if werr == nil && !reflect.DeepEqual(want, again) {
			t.Fatalf("%s:\nencoding/json    %#v\nInstanceDecoder  %#v", b, want, again)
		}
	}
}

func BenchmarkDecodeInstance(b *testing.B) {
	data := instanceSamples()[1]
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			var inst Instance
			if err := DecodeInstance(data, &inst); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			var inst Instance
			if err := json.Unmarshal(data, &inst); err != nil {
				b.Fatal(err)
			}
		}
	})
}
