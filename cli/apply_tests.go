package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/engine/casetest"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/usecase"
)

// packTests reads the test files of the directories among paths that have
// a tests/ directory, checked. ok is false when none has one: applying a
// single file or a pack without tests leaves the stored test files alone.
// Problems go to errOut and yield ErrSilent.
func packTests(paths []string, errOut io.Writer) (files []casetest.File, ok bool, err error) {
	from := map[string]string{}
	for _, p := range paths {
		if fi, err := os.Stat(filepath.Join(p, casetest.Dir)); err != nil || !fi.IsDir() {
			continue
		}
		ok = true
		fs, err := casetest.ReadFiles(p)
		if err != nil {
			return nil, false, err
		}
		for _, f := range fs {
			if other, dup := from[f.Path]; dup {
				return nil, false, fmt.Errorf("test file %s is in both %s and %s", f.Path, other, p)
			}
			from[f.Path] = p
		}
		files = append(files, fs...)
	}
	if !ok {
		return nil, false, nil
	}
	if _, err := casetest.Parse(files...); err != nil {
		var el engine.ErrorList
		if !errors.As(err, &el) {
			return nil, false, err
		}
		for _, e := range el { // shown as paths the shell can open
			e.File = filepath.Join(from[e.File], filepath.FromSlash(e.File))
		}
		el.Print(errOut, false)
		fmt.Fprintf(errOut, "%d %s in the test files\n", len(el), plural(len(el), "problem"))
		return nil, false, ErrSilent
	}
	return files, true, nil
}

// ApplyTests stores files as the test files the server runs against a
// draft, replacing the stored set, and prints what changed.
func ApplyTests(ctx context.Context, s *store.Store, by usecase.Actor, files []casetest.File, note string, out io.Writer) error {
	o, err := service(s, time.Time{}).ReplaceDefinitionTests(ctx, by, files, note)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "stored %d test %s: %d added, %d changed, %d removed, %d unchanged\n", len(files), plural(len(files), "file"),
		len(o.Added), len(o.Changed), len(o.Removed), o.Unchanged)
	return nil
}
