package queue

import (
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// A job still "running" in the database is this process's lost
// completion only when this process attempted it last, is not working it,
// and finished it (or never began it) long enough ago.
func TestOwnJobsLost(t *testing.T) {
	now := time.Now()
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	o := newOwnJobs("padlock:me:1:aa")
	o.begin(1) // working
	o.begin(2)
	o.end(2) // ended just now
	o.begin(3)
	o.end(3)
	o.ended[3] = now.Add(-time.Minute) // ended a minute ago
	tests := []struct {
		name string
		job  rivertype.JobRow
		want bool
	}{
		{"still working here", rivertype.JobRow{ID: 1, AttemptedBy: []string{o.id}, AttemptedAt: ago(time.Hour)}, false},
		{"ended a moment ago, completion on its way", rivertype.JobRow{ID: 2, AttemptedBy: []string{o.id}, AttemptedAt: ago(time.Hour)}, false},
		{"ended a minute ago, completion lost", rivertype.JobRow{ID: 3, AttemptedBy: []string{o.id}, AttemptedAt: ago(time.Hour)}, true},
		{"another worker's now", rivertype.JobRow{ID: 3, AttemptedBy: []string{o.id, "padlock:other:2:bb"}, AttemptedAt: ago(time.Hour)}, false},
		{"fetched a moment ago", rivertype.JobRow{ID: 4, AttemptedBy: []string{o.id}, AttemptedAt: ago(time.Second)}, false},
		{"never attempted", rivertype.JobRow{ID: 5}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := o.lost(&tt.job, now); got != tt.want {
				t.Errorf("lost = %v, want %v", got, tt.want)
			}
		})
	}
	// Finishes older than keepEnded are forgotten.
	o.ended[3] = now.Add(-keepEnded - time.Minute)
	o.begin(9)
	o.end(9)
	if _, ok := o.ended[3]; ok {
		t.Error("a finish older than keepEnded is still remembered")
	}
}
