package fleet

import (
	"context"
	"time"

	"padlock/queue"
	"padlock/store"
)

// Follow reports a scan's progress to p, read from the database (its
// counts, and its jobs running in the queue), until the scan is finished
// or ctx ends; whoever works the scan, on whatever machine. It returns
// the scan as last read.
func Follow(ctx context.Context, q *queue.Queue, id store.ScanID, p *Progress) (store.Scan, error) {
	st := q.Store()
	sc, err := st.Scan(ctx, id)
	if err != nil {
		return sc, err
	}
	start := time.Now()
	first := sc.Counts.Done
	p.ScanStarted(id, sc.Counts.Total, sc.Counts.Done, sc.Counts.Total-sc.Counts.Done)
	end := func() {
		p.ScanEnded(Summary{
			ScanID: id, Total: sc.Counts.Total, Done: sc.Counts.Done, Inconclusive: sc.Counts.Failed,
			Assessed: sc.Counts.Done - first, Elapsed: time.Since(start),
			Interrupted: sc.Status != store.StatusFinished,
		})
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for n := 0; ; n++ {
		if sc.Status == store.StatusFinished {
			end()
			return sc, nil
		}
		select {
		case <-ctx.Done():
			end()
			return sc, nil
		case <-tick.C:
		}
		next, err := st.Scan(ctx, id)
		if err != nil {
			continue // the database may come back
		}
		sc = next
		p.Counts(sc.Counts)
		if n%2 == 0 {
			if jq, err := q.ScanJobs(ctx, id, 1); err == nil {
				p.Running(jq.Running)
			}
		}
	}
}
