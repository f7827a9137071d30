package engine

import (
	"encoding/json"
	"strconv"
	"time"
)

// DecodeInstance decodes an instance as json.Marshal wrote it. A tick
// reads one per running workflow of every invoice, so the common shape (a
// flat object of the known fields, strings without escapes) is read here
// directly, several times faster than encoding/json; anything else (an
// escape, an unknown field, malformed input) is left to json.Unmarshal,
// which decides. The result is the same either way (FuzzDecodeInstance).
func DecodeInstance(data []byte, inst *Instance) error {
	return decodeInstance(data, inst, nil, nil)
}

// InstanceDecoder decodes many instances (DecodeInstance), keeping one
// copy of the names they repeat (workflows, nodes, statuses) instead of a
// string each. Not for concurrent use.
type InstanceDecoder struct {
	words map[string]string
	times map[string]time.Time // the instants of the ticks that wrote them
}

// Decode is DecodeInstance.
func (w *InstanceDecoder) Decode(data []byte, inst *Instance) error {
	if w.words == nil {
		w.words, w.times = map[string]string{}, map[string]time.Time{}
	}
	return decodeInstance(data, inst, w.words, w.times)
}

func decodeInstance(data []byte, inst *Instance, words map[string]string, times map[string]time.Time) error {
	var fast Instance
	d := instanceDecoder{b: data, words: words, times: times}
	if d.object(&fast) && d.end() {
		*inst = fast
		return nil
	}
	*inst = Instance{}
	return json.Unmarshal(data, inst)
}

type instanceDecoder struct {
	b     []byte
	i     int
	words map[string]string // nil: no interning
	times map[string]time.Time
}

// maxWords bounds an InstanceDecoder's names and instants: what repeats
// is a bundle's few workflows and nodes, and the instants of recent ticks.
const maxWords = 512

// word returns b as a string, the decoder's copy if it has one.
func (d *instanceDecoder) word(b []byte) string {
	if d.words == nil {
		return string(b)
	}
	if s, ok := d.words[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.words) < maxWords {
		d.words[s] = s
	}
	return s
}

func (d *instanceDecoder) ws() {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\n' || d.b[d.i] == '\t' || d.b[d.i] == '\r') {
		d.i++
	}
}

func (d *instanceDecoder) end() bool {
	d.ws()
	return d.i == len(d.b)
}

// byte consumes c after white space.
func (d *instanceDecoder) byte(c byte) bool {
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// str reads a string without escapes.
func (d *instanceDecoder) str() ([]byte, bool) {
	if !d.byte('"') {
		return nil, false
	}
	start := d.i
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			d.i++
			return d.b[start : d.i-1], true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, false // escapes and non-ASCII: encoding/json's job
		}
		d.i++
	}
	return nil, false
}

func (d *instanceDecoder) int() (int64, bool) {
	d.ws()
	start := d.i
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	digits := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	if d.i-digits > 1 && d.b[digits] == '0' {
		return 0, false // a leading zero is not JSON
	}
	n, err := strconv.ParseInt(string(d.b[start:d.i]), 10, 64)
	return n, err == nil
}

func (d *instanceDecoder) bool() (bool, bool) {
	d.ws()
	switch {
	case len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "true":
		d.i += 4
		return true, true
	case len(d.b)-d.i >= 5 && string(d.b[d.i:d.i+5]) == "false":
		d.i += 5
		return false, true
	}
	return false, false
}

func (d *instanceDecoder) time(t *time.Time) bool {
	s, ok := d.str()
	if !ok {
		return false
	}
	if v, ok := d.times[string(s)]; ok {
		*t = v
		return true
	}
	if t.UnmarshalText(s) != nil {
		return false
	}
	if d.times != nil && len(d.times) < maxWords {
		d.times[string(s)] = *t
	}
	return true
}

// members calls fn for each member of an object.
func (d *instanceDecoder) members(fn func(key []byte) bool) bool {
	if !d.byte('{') {
		return false
	}
	if d.byte('}') {
		return true
	}
	for {
		key, ok := d.str()
		if !ok || !d.byte(':') || !fn(key) {
			return false
		}
		if d.byte('}') {
			return true
		}
		if !d.byte(',') {
			return false
		}
	}
}

func (d *instanceDecoder) object(inst *Instance) bool {
	return d.members(func(key []byte) bool {
		var ok bool
		var n int64
		var s []byte
		switch string(key) {
		case "id":
			n, ok = d.int()
			inst.ID = n
		case "workflow":
			s, ok = d.str()
			inst.Workflow = d.word(s)
		case "version":
			n, ok = d.int()
			inst.Version = int(n)
		case "invoice_id":
			n, ok = d.int()
			inst.InvoiceID = n
		case "run":
			n, ok = d.int()
			inst.Run = int(n)
		case "status":
			s, ok = d.str()
			inst.Status = d.word(s)
		case "node":
			s, ok = d.str()
			inst.Node = d.word(s)
		case "node_index":
			n, ok = d.int()
			inst.NodeIndex = int(n)
		case "visits":
			if inst.Visits != nil {
				return false // a repeated key: encoding/json's rules apply
			}
			inst.Visits = make(map[string]int, 8) // one group: no growing
			ok = d.members(func(k []byte) bool {
				v, ok := d.int()
				inst.Visits[d.word(k)] = int(v)
				return ok
			})
		case "started_at":
			ok = d.time(&inst.StartedAt)
		case "entered_at":
			ok = d.time(&inst.EnteredAt)
		case "base":
			ok = d.time(&inst.Base)
		case "wait_until":
			ok = d.time(&inst.WaitUntil)
		case "wait_day":
			s, ok = d.str()
			ok = ok && inst.WaitDay.UnmarshalText(s) == nil
		case "paused_reason":
			s, ok = d.str()
			inst.PausedReason = d.word(s)
		case "paused_at":
			ok = d.time(&inst.PausedAt)
		case "route_pause":
			inst.RoutePause, ok = d.bool()
		case "pauses":
			n, ok = d.int()
			inst.Pauses = int(n)
		case "handled":
			if inst.Handled != nil || !d.byte('[') {
				return false
			}
			inst.Handled = []string{}
			if d.byte(']') {
				return true
			}
			for {
				if s, ok = d.str(); !ok {
					return false
				}
				inst.Handled = append(inst.Handled, string(s))
				if d.byte(']') {
					return true
				}
				if !d.byte(',') {
					return false
				}
			}
		case "ended_at":
			ok = d.time(&inst.EndedAt)
		case "end_reason":
			s, ok = d.str()
			inst.EndReason = string(s)
		}
		return ok
	})
}
