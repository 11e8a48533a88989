package queue

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"padlock/store"
)

// clientID names this process's River client: "padlock:HOST:PID:NONCE",
// so that a worker on the same machine can tell the jobs of a process
// that has died (RescueDead).
func clientID() string {
	host, _ := os.Hostname()
	host = strings.ReplaceAll(host, ":", "_")
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("padlock:%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// deadHere reports whether a client id names a process of this machine
// that no longer exists.
func deadHere(id string) bool {
	parts := strings.Split(id, ":")
	if len(parts) != 4 || parts[0] != "padlock" {
		return false
	}
	host, _ := os.Hostname()
	if parts[1] != strings.ReplaceAll(host, ":", "_") {
		return false
	}
	pid, err := strconv.Atoi(parts[2])
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	err = syscall.Kill(pid, 0)
	return errors.Is(err, syscall.ESRCH)
}

// lostAfter is how long a job this process has finished may still read
// "running" in the database before its completion is taken to be lost.
// River records completions in batches within a second or so; it gives
// up on a batch when the database stays away, and the job then stays
// "running" under a live worker, where neither RescueDead's check for a
// dead process nor River's own rescue (RescueAfter, minutes) would soon
// see it.
const lostAfter = 30 * time.Second

// ownJobs tracks the jobs this process is working and when it finished
// the others, so that a job whose completion River could not record is
// put back in line instead of holding its scan open until RescueAfter.
// Running a scan job again is harmless: it skips targets already saved.
type ownJobs struct {
	id      string // this process's River client id
	mu      sync.Mutex
	working map[int64]bool
	ended   map[int64]time.Time
}

func newOwnJobs(id string) *ownJobs {
	return &ownJobs{id: id, working: map[int64]bool{}, ended: map[int64]time.Time{}}
}

func (o *ownJobs) begin(id int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.working[id] = true
	delete(o.ended, id)
}

// keepEnded is how long ownJobs remembers a finish: longer than any
// outage after which River's own rescue (RescueAfter) takes over anyway.
const keepEnded = 2 * DefaultRescueAfter

func (o *ownJobs) end(id int64) {
	now := time.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.working, id)
	for id, t := range o.ended {
		if now.Sub(t) > keepEnded {
			delete(o.ended, id)
		}
	}
	o.ended[id] = now
}

// lost reports whether j, "running" in the database, was last attempted
// by this process and finished here long enough ago that River's record
// of its completion must have been lost.
func (o *ownJobs) lost(j *rivertype.JobRow, now time.Time) bool {
	if n := len(j.AttemptedBy); n == 0 || j.AttemptedBy[n-1] != o.id {
		return false
	}
	if j.AttemptedAt == nil || now.Sub(*j.AttemptedAt) < lostAfter {
		return false // fetched a moment ago, perhaps not begun yet
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.working[j.ID] {
		return false
	}
	t, ok := o.ended[j.ID]
	return !ok || now.Sub(t) >= lostAfter
}

// RescueDead makes running jobs that nobody is working available again
// at once, instead of after RescueAfter (River's rescue, which still
// covers workers on other machines): the jobs of dead processes of this
// machine, and the jobs this process finished but whose completion was
// lost to a database outage. A working Queue does this when it starts
// and every 10 seconds; it returns how many jobs it rescued.
func (q *Queue) RescueDead(ctx context.Context) (int, error) {
	var ids []int64
	now := time.Now()
	p := river.NewJobListParams().States(rivertype.JobStateRunning).First(1000)
	for {
		res, err := q.c.jobList(ctx, p)
		if err != nil {
			return 0, fmt.Errorf("queue: running jobs: %w", err)
		}
		for _, j := range res.Jobs {
			n := len(j.AttemptedBy)
			if n > 0 && deadHere(j.AttemptedBy[n-1]) || q.own != nil && q.work && q.own.lost(j, now) {
				ids = append(ids, j.ID)
			}
		}
		if len(res.Jobs) < 1000 || res.LastCursor == nil {
			break
		}
		p = p.After(res.LastCursor)
	}
	n := 0
	for _, id := range ids {
		ok, err := q.makeAvailable(ctx, id)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// makeAvailable puts a running job back in line (its attempt stays
// counted), if it is still running.
func (q *Queue) makeAvailable(ctx context.Context, id int64) (bool, error) {
	const query = `UPDATE river_job SET state = 'available' WHERE id = %s AND state = 'running'`
	var (
		res sql.Result
		err error
	)
	switch s := q.st.(type) {
	case *store.SQLite:
		res, err = s.DB().ExecContext(ctx, fmt.Sprintf(query, "?"), id)
	case *store.PostgreSQL:
		tag, perr := s.Pool().Exec(ctx, fmt.Sprintf(query, "$1"), id)
		return tag.RowsAffected() == 1, perr
	default:
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("queue: rescue job %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// rescueLoop runs RescueDead every 10 seconds until the client stops.
func (q *Queue) rescueLoop() {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, _ = q.RescueDead(ctx)
		cancel()
		select {
		case <-q.c.stopped():
			return
		case <-t.C:
		}
	}
}
