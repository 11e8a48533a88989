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

// RescueDead makes the running jobs of dead processes of this machine
// available again at once, instead of after RescueAfter (River's rescue,
// which still covers workers on other machines). A working Queue does
// this when it starts and every 10 seconds; it returns how many jobs it
// rescued.
func (q *Queue) RescueDead(ctx context.Context) (int, error) {
	var ids []int64
	p := river.NewJobListParams().States(rivertype.JobStateRunning).First(1000)
	for {
		res, err := q.c.jobList(ctx, p)
		if err != nil {
			return 0, fmt.Errorf("queue: running jobs: %w", err)
		}
		for _, j := range res.Jobs {
			if n := len(j.AttemptedBy); n > 0 && deadHere(j.AttemptedBy[n-1]) {
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
