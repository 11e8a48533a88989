package queue

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"padlock/store"
)

// ScanQueue is what the queue holds for one scan: its jobs counted by
// state, and the ones an operator looks at (running, retrying, failed)
// with their reasons. Jobs of every kind whose arguments name the scan
// ({"scan": ID, …}) are counted.
type ScanQueue struct {
	Scan store.ScanID `json:"scan"`
	// Pending: waiting to run (available, scheduled, pending).
	Pending int `json:"pending"`
	// Running: taken by a worker.
	Running int `json:"running"`
	// Retrying: failed an attempt, waiting to run again.
	Retrying int `json:"retrying"`
	// Failed: given up (discarded after the last attempt) or cancelled.
	Failed int `json:"failed"`
	// Completed: done (kept a day).
	Completed int `json:"completed"`
	// Jobs are the running, retrying and failed jobs, the failed first,
	// at most the limit asked for.
	Jobs []Job `json:"jobs"`
}

// Job is one job as an operator sees it.
type Job struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	State       string    `json:"state"`
	Attempt     int       `json:"attempt"`
	MaxAttempts int       `json:"maxAttempts"`
	Args        string    `json:"args"`
	AttemptedAt time.Time `json:"attemptedAt,omitzero"`
	ScheduledAt time.Time `json:"scheduledAt,omitzero"`
	// Worker is the client that last took the job (host and process).
	Worker string `json:"worker,omitempty"`
	// Reason is the last attempt's error (a panic's value too).
	Reason string `json:"reason,omitempty"`
	// Errors counts the attempts that failed.
	Errors int `json:"errors"`
}

// scanFilter is the condition "the job's args name scan id".
func (q *Queue) scanFilter(id store.ScanID) (string, river.NamedArgs) {
	if q.dialect == store.Postgres {
		return `args ->> 'scan' = @scan`, river.NamedArgs{"scan": strconv.FormatInt(int64(id), 10)}
	}
	return `args ->> '$.scan' = @scan`, river.NamedArgs{"scan": int64(id)}
}

// ScanJobs returns the queue's view of scan id, with at most limit jobs
// listed (default 100).
func (q *Queue) ScanJobs(ctx context.Context, id store.ScanID, limit int) (ScanQueue, error) {
	if limit <= 0 {
		limit = 100
	}
	out := ScanQueue{Scan: id, Jobs: []Job{}}
	where, args := q.scanFilter(id)
	count := func(states ...rivertype.JobState) (int, []*rivertype.JobRow, error) {
		n := 0
		var rows []*rivertype.JobRow
		p := river.NewJobListParams().States(states...).Where(where, args).First(1000)
		for {
			res, err := q.c.jobList(ctx, p)
			if err != nil {
				return 0, nil, fmt.Errorf("queue: jobs of scan %d: %w", id, err)
			}
			n += len(res.Jobs)
			if len(rows) < limit {
				rows = append(rows, res.Jobs[:min(len(res.Jobs), limit-len(rows))]...)
			}
			if len(res.Jobs) < 1000 || res.LastCursor == nil {
				return n, rows, nil
			}
			p = p.After(res.LastCursor)
		}
	}
	var (
		err                     error
		failed, running, retrys []*rivertype.JobRow
	)
	if out.Pending, _, err = count(rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStatePending); err != nil {
		return out, err
	}
	if out.Running, running, err = count(rivertype.JobStateRunning); err != nil {
		return out, err
	}
	if out.Retrying, retrys, err = count(rivertype.JobStateRetryable); err != nil {
		return out, err
	}
	if out.Failed, failed, err = count(rivertype.JobStateDiscarded, rivertype.JobStateCancelled); err != nil {
		return out, err
	}
	if out.Completed, _, err = count(rivertype.JobStateCompleted); err != nil {
		return out, err
	}
	for _, rows := range [][]*rivertype.JobRow{failed, retrys, running} {
		for _, r := range rows {
			if len(out.Jobs) >= limit {
				break
			}
			out.Jobs = append(out.Jobs, jobOf(r))
		}
	}
	return out, nil
}

func jobOf(r *rivertype.JobRow) Job {
	j := Job{
		ID: r.ID, Kind: r.Kind, State: string(r.State), Attempt: r.Attempt, MaxAttempts: r.MaxAttempts,
		Args: string(r.EncodedArgs), ScheduledAt: r.ScheduledAt, Errors: len(r.Errors),
	}
	if r.AttemptedAt != nil {
		j.AttemptedAt = *r.AttemptedAt
	}
	if n := len(r.AttemptedBy); n > 0 {
		j.Worker = r.AttemptedBy[n-1]
	}
	if n := len(r.Errors); n > 0 {
		j.Reason = r.Errors[n-1].Error
	}
	return j
}

// LiveJobs returns the jobs of scan id that will still run (or are
// running), as their encoded arguments.
func (q *Queue) LiveJobs(ctx context.Context, id store.ScanID) ([][]byte, error) {
	where, args := q.scanFilter(id)
	var out [][]byte
	p := river.NewJobListParams().States(live...).Where(where, args).First(1000)
	for {
		res, err := q.c.jobList(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("queue: jobs of scan %d: %w", id, err)
		}
		for _, r := range res.Jobs {
			out = append(out, slices.Clone(r.EncodedArgs))
		}
		if len(res.Jobs) < 1000 || res.LastCursor == nil {
			return out, nil
		}
		p = p.After(res.LastCursor)
	}
}
