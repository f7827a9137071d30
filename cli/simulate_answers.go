package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/usecase"
)

// readAnswers reads simulate's --answers file: a YAML list of the human
// tasks to answer, e.g.
//
//   - {invoice: INV-7, day: 2026-11-14, node: call, values: {outcome: promised, promised_date: 2026-11-24}}
//   - {invoice: INV-9, day: 2026-11-16, node: call, values: {outcome: disputed, dispute_reason: wrong quantity}}
func readAnswers(path string) ([]usecase.Answer, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Invoice string         `yaml:"invoice"`
		Day     string         `yaml:"day"`
		Node    string         `yaml:"node"`
		Values  map[string]any `yaml:"values"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&rows); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]usecase.Answer, len(rows))
	for i, r := range rows {
		day, err := calendar.Parse(r.Day)
		if err != nil {
			return nil, fmt.Errorf("%s: answers[%d].day: %w", path, i, err)
		}
		if r.Invoice == "" || r.Node == "" {
			return nil, fmt.Errorf("%s: answers[%d]: invoice and node are required", path, i)
		}
		// A date written bare (2026-11-24) is a YAML timestamp: the form
		// takes it as the date it names.
		for k, v := range r.Values {
			if t, ok := v.(time.Time); ok {
				r.Values[k] = t.Format(calendar.Layout)
			}
		}
		out[i] = usecase.Answer{Invoice: r.Invoice, Day: day, Node: r.Node, Values: r.Values}
	}
	return out, nil
}
