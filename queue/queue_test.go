package queue_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/riverqueue/river"

	"padlock/lab/peer"
	"padlock/queue"
	"padlock/store"
)

type testJob struct {
	Scan store.ScanID `json:"scan"`
	N    int          `json:"n"`
	kind string
}

func (j testJob) Kind() string { return j.kind }

// A scan and its jobs are stored in one transaction: all of them, or,
// when a job cannot be inserted, nothing.
func TestCreateScanOneTransaction(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dsn := filepath.Join(t.TempDir(), "padlock.db")
			if dialect == "postgres" {
				dsn = peer.Postgres(t).NewDatabase()
			}
			st, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			q, err := queue.Open(ctx, st, queue.Options{})
			if err != nil {
				t.Fatal(err)
			}
			targets := []store.Target{{URL: "https://a.test/"}, {URL: "https://b.test/"}}
			jobs := func(kind string) func(store.ScanID, []store.Target) []river.InsertManyParams {
				return func(id store.ScanID, ts []store.Target) []river.InsertManyParams {
					var out []river.InsertManyParams
					for i, tg := range ts {
						if tg.ID == 0 || tg.ScanID != id {
							t.Errorf("target %d not stored before its job: %+v", i, tg)
						}
						out = append(out, river.InsertManyParams{Args: testJob{Scan: id, N: i, kind: kind}})
					}
					return out
				}
			}
			// An empty kind is refused by River: the scan goes too.
			if _, err := q.CreateScan(ctx, store.Scan{Name: "bad"}, targets, jobs("")); err == nil {
				t.Fatal("a job River refuses was accepted")
			}
			if scans, _ := st.Scans(ctx); len(scans) != 0 {
				t.Fatalf("%d scans stored after a failed insert", len(scans))
			}
			id, err := q.CreateScan(ctx, store.Scan{Name: "good"}, targets, jobs("padlock.test"))
			if err != nil {
				t.Fatal(err)
			}
			view, err := q.ScanJobs(ctx, id, 10)
			if err != nil {
				t.Fatal(err)
			}
			if view.Pending != 2 {
				t.Errorf("queue view %+v, want 2 pending", view)
			}
			live, err := q.LiveJobs(ctx, id)
			if err != nil || len(live) != 2 {
				t.Errorf("live jobs %d, %v", len(live), err)
			}
		})
	}
}
