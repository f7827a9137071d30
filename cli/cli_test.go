package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// run executes the command line in-process and returns stdout, stderr and
// whether it succeeded.
func run(t *testing.T, ctx context.Context, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRoot(&out, &errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

// TestDemoEndToEnd follows `make run`: generate, migrate, import, serve,
// and probe the server; on SQLite and PostgreSQL.
func TestDemoEndToEnd(t *testing.T) {
	t.Parallel()
	storetest.EachURL(t, func(t *testing.T, url string) {
		ctx := context.Background()
		dir := t.TempDir()
		out, _, err := run(t, ctx, "gen", "--out", dir, "--customers", "20", "--invoices", "100", "--seed", "3", "--today", "2026-11-29")
		if err != nil || !strings.Contains(out, "20 customers, 100 invoices, seed 3, today 2026-11-29") {
			t.Fatalf("gen: %q %v", out, err)
		}
		flags := []string{"--db", url, "--timezone", "Asia/Shanghai"}
		if out, _, err := run(t, ctx, append([]string{"migrate"}, flags...)...); err != nil || !strings.HasPrefix(out, "applied migrations [1") {
			t.Fatalf("migrate: %q %v", out, err)
		}
		for _, k := range []string{"users", "customers", "invoices", "payments"} {
			out, errOut, err := run(t, ctx, append([]string{"import", k, filepath.Join(dir, k+".csv")}, flags...)...)
			if err != nil || !strings.Contains(out, "inserted") {
				t.Fatalf("import %s: %q %q %v", k, out, errOut, err)
			}
		}
		out, _, err = run(t, ctx, append([]string{"import", "invoices", filepath.Join(dir, "invoices.csv")}, flags...)...)
		if err != nil || !strings.HasSuffix(strings.TrimSpace(out), "0 inserted, 0 updated, 100 unchanged, 0 rejected") {
			t.Fatalf("re-import: %q %v", out, err)
		}

		// A free port for the metrics' own listener.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		metricsAddr := ln.Addr().String()
		ln.Close()
		srvCtx, stop := context.WithCancel(ctx)
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			root := newRoot(pw, io.Discard)
			root.SetArgs(append([]string{"serve", "--addr", "127.0.0.1:0", "--rules", "../rules-examples", "--tick-schedule", "@every 1s",
				"--metrics-addr", metricsAddr, "--metrics-token", "m-token"}, flags...))
			done <- root.ExecuteContext(srvCtx)
			pw.Close()
		}()
		line, err := bufio.NewReader(pr).ReadString('\n')
		if err != nil {
			t.Fatalf("serve printed nothing: %v", err)
		}
		go io.Copy(io.Discard, pr)
		base := regexp.MustCompile(`http://[0-9.:]+/`).FindString(line)
		if base == "" {
			t.Fatalf("no URL in %q", line)
		}
		for path, want := range map[string]string{"healthz": `{"status":"ok"}`, "readyz": `{"status":"ready"}`, "": "<title>recoup"} {
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
				t.Errorf("GET /%s = %d %q, want 200 containing %q", path, resp.StatusCode, body, want)
			}
		}
		// The scheduled tick runs the applied example rules.
		s, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		deadline := time.Now().Add(20 * time.Second)
		for {
			var done, effects int
			storetest.SQL(s).QueryRow("SELECT COUNT(*) FROM ticks WHERE status = 'done'").Scan(&done)
			storetest.SQL(s).QueryRow("SELECT COUNT(*) FROM effects").Scan(&effects)
			if done > 0 && effects > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no scheduled tick recorded effects (%d ticks done, %d effects)", done, effects)
			}
			time.Sleep(100 * time.Millisecond)
		}
		// /metrics asks for its token, on the main address and on its own.
		getMetrics := func(url, token string) (*http.Response, error) {
			req, _ := http.NewRequest("GET", url, nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			return http.DefaultClient.Do(req)
		}
		for _, url := range []string{base + "metrics", "http://" + metricsAddr + "/metrics"} {
			resp, err := getMetrics(url, "")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 401 {
				t.Errorf("GET %s without the metrics token: %d, want 401", url, resp.StatusCode)
			}
		}
		// The ticks this process ran are in its /metrics.
		for {
			resp, err := getMetrics("http://"+metricsAddr+"/metrics", "m-token")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if m := regexp.MustCompile(`(?m)^recoup_tick_duration_seconds_count ([1-9][0-9]*)$`).FindSubmatch(body); m != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no tick observed in /metrics:\n%s", body)
			}
			time.Sleep(100 * time.Millisecond)
		}
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("serve after shutdown: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not shut down")
		}
	})
}

func TestImportCommandRejectsBadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	url := storetest.SQLiteURL(t)
	path := filepath.Join(dir, "users.csv")
	if err := writeFile(path, "email,name,role,team\nok@x.test,OK,admin,\nbad,Bad,wizard,\n"); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := run(t, context.Background(), "import", "--db", url, "users", path)
	if err == nil {
		t.Fatal("bad file accepted")
	}
	want := path + `:row 3:email: invalid email "bad"` + "\n" +
		path + `:row 3:role: unknown role "wizard" (want one of admin, sales_rep, sales_manager, finance, finance_director)` + "\n" +
		path + ": rejected: 1 row(s) with problems; nothing was imported (use --skip-invalid to import the good rows)\n"
	if errOut != want || out != "" {
		t.Fatalf("stderr:\n%s\nwant:\n%s\nstdout: %q", errOut, want, out)
	}
	out, _, err = run(t, context.Background(), "import", "--db", url, "--skip-invalid", "users", path)
	if err != nil || !strings.HasSuffix(out, "1 inserted, 0 updated, 0 unchanged, 1 rejected\n") {
		t.Fatalf("skip-invalid: %q %v", out, err)
	}
}

func TestImportCommandRejectsBadHeader(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "users.csv")
	if err := writeFile(path, "email,name,team\nok@x.test,OK,\n"); err != nil {
		t.Fatal(err)
	}
	_, errOut, err := run(t, context.Background(), "import", "--db", storetest.SQLiteURL(t), "users", path)
	want := path + ":row 1:role: missing required column\n" + path + ": rejected: the header has problems; nothing was imported\n"
	if err == nil || errOut != want {
		t.Fatalf("stderr:\n%s\nwant:\n%s", errOut, want)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	err := Config{LogFormat: "xml", TimeZone: "Nowhere"}.WithDefaults().Validate()
	want := "log format \"xml\": want text or json\ncompany time zone \"Nowhere\" is not an IANA zone (e.g. Asia/Shanghai)"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

func TestTickRejectsBadBatch(t *testing.T) {
	_, _, err := run(t, context.Background(), "tick", "--db", storetest.SQLiteURL(t), "--batch", "0")
	if err == nil || err.Error() != "--batch: 0 invoices per batch: want 1 or more" {
		t.Fatalf("tick --batch 0: %v", err)
	}
}

// TestCommandsRefuseMissingDatabase: the commands that act on data do not
// make an empty database at a mistyped path.
func TestCommandsRefuseMissingDatabase(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "typo.db")
	want := "no database at " + path + ": give --db (or RECOUP_DB) the one to use, or create it with `recoup migrate --db sqlite:" + path + "` and import data"
	for _, args := range [][]string{
		{"tick"}, {"explain", "INV-1"}, {"task", "list"}, {"task", "complete", "k", "--by", "a@b.c"},
		{"deliver", "--once"}, {"render", "reminder", "--invoice", "INV-1"},
	} {
		_, _, err := run(t, context.Background(), append(args, "--db", "sqlite:"+path)...)
		if err == nil || err.Error() != want {
			t.Errorf("%v: %v\nwant %s", args, err, want)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s: %v, want no file", path, err)
	}
}
