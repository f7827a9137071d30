package delivery_test

import (
	"errors"
	"testing"
	"time"

	"github.com/recoup/recoup/delivery"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

func TestInbox(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, "UTC")
		now := time.Date(2026, 3, 17, 22, 0, 0, 0, time.UTC) // in-app ignores quiet hours
		f.enqueue(msg{Key: "a", Channel: "in_app", Role: "sales_manager", Subject: "First", Body: "1", At: now})
		f.enqueue(msg{Key: "b", Channel: "in_app", To: "boss@demo.example", Body: "Second line one\nline two", At: now})
		f.enqueue(msg{Key: "c", Channel: "in_app", Role: "finance", Body: "nobody", At: now})
		d := dispatcher(t, s, delivery.Config{}, &clock{t: now})
		if st := runOnce(t, d); st.Sent != 2 || st.Suppressed != 1 {
			t.Fatalf("stats %+v", st)
		}
		f.wantNoUser("c")
		msgs, err := delivery.Inbox(f.ctx, s, f.manager, false, 0)
		if err != nil || len(msgs) != 2 || msgs[0].Title != "Second line one" || msgs[1].Title != "First" || !msgs[0].ReadAt.IsZero() {
			t.Fatalf("inbox %+v, %v", msgs, err)
		}
		if err := delivery.MarkRead(f.ctx, s, f.manager, msgs[1].ID, now); err != nil {
			t.Fatal(err)
		}
		if err := delivery.MarkRead(f.ctx, s, f.owner, msgs[0].ID, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("marking another user's message: %v, want ErrNotFound", err)
		}
		unread, err := delivery.Inbox(f.ctx, s, f.manager, true, 10)
		if err != nil || len(unread) != 1 || unread[0].Key != "b" {
			t.Errorf("unread %+v, %v", unread, err)
		}
		// delivering again never duplicates
		f.exec(`UPDATE outbox SET status = 'pending' WHERE key = 'a'`)
		runOnce(t, d)
		if n := f.count(`SELECT COUNT(*) FROM inapp_messages WHERE key = 'a'`); n != 1 {
			t.Errorf("%d copies of message a", n)
		}
	})
}
