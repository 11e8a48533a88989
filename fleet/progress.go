package fleet

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"padlock/grade"
	"padlock/store"
)

// Progress reports a scan's progress; it is an Observer. On a terminal it
// keeps one status line at the bottom, redrawn in place ("\r"): targets
// done of the total, targets per second, the estimated time left, how many
// are running and how many came out inconclusive; each inconclusive
// target is also printed on a line of its own above it. Elsewhere (a file,
// a pipe, CI logs) it prints the same status as a plain line every
// Interval, and the inconclusive targets as they come.
type Progress struct {
	w   io.Writer
	tty bool
	// Interval between plain status lines (default 10s) or terminal
	// redraws (default 250ms).
	Interval time.Duration
	// Width is the terminal width the status line is cut to (default
	// $COLUMNS, else 80).
	Width int

	mu           sync.Mutex
	scan         store.ScanID
	total        int
	done         int // targets done, earlier runs included
	doneHere     int // by this run
	running      int
	inconclusive int
	grades       map[string]int
	start        time.Time
	drawn        bool // a status line is on screen (terminal)
	stop         chan struct{}
	stopped      chan struct{}
	now          func() time.Time
}

// NewProgress reports to w, as a terminal when tty is set (see
// IsTerminal).
func NewProgress(w io.Writer, tty bool) *Progress {
	p := &Progress{w: w, tty: tty, grades: map[string]int{}, now: time.Now}
	if tty {
		p.Interval = 250 * time.Millisecond
	} else {
		p.Interval = 10 * time.Second
	}
	p.Width = 80
	if c, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && c > 20 {
		p.Width = c
	}
	return p
}

// IsTerminal reports whether w is a character device (a terminal).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// ScanStarted implements Observer.
func (p *Progress) ScanStarted(id store.ScanID, total, done, todo int) {
	p.mu.Lock()
	p.scan, p.total, p.done = id, total, done
	p.start = p.now()
	p.stop, p.stopped = make(chan struct{}), make(chan struct{})
	if done > 0 {
		p.printLocked(fmt.Sprintf("scan %d: resuming, %d of %d targets done, %d to go", id, done, total, todo))
	} else {
		p.printLocked(fmt.Sprintf("scan %d: %d targets", id, total))
	}
	p.mu.Unlock()
	go p.loop()
}

func (p *Progress) loop() {
	defer close(p.stopped)
	t := time.NewTicker(p.Interval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.tty {
				p.drawLocked()
			} else {
				p.printLocked(p.statusLocked())
			}
			p.mu.Unlock()
		}
	}
}

// TargetStarted implements Observer.
func (p *Progress) TargetStarted(ts []Target) {
	p.mu.Lock()
	p.running += len(ts)
	p.mu.Unlock()
}

// TargetDone implements Observer.
func (p *Progress) TargetDone(t Target, a store.Assessment, attempts int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running--
	// Counts may have counted this target already (it reads the
	// database, where the target was saved before this call).
	p.done = min(p.done+1, p.total)
	p.doneHere++
	if a.Grade == "" {
		p.inconclusive++
		tries := ""
		if attempts > 1 {
			tries = fmt.Sprintf(" (%d attempts)", attempts)
		}
		p.printLocked(fmt.Sprintf("line %d %s: inconclusive%s: %s", t.Line, t.URL, tries, a.Inconclusive))
	} else {
		p.grades[a.Grade]++
	}
	if p.tty {
		p.drawLocked()
	}
}

// Counts takes a scan's counts from the database, which include the
// targets other workers assessed.
func (p *Progress) Counts(c store.Counts) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = c.Total
	if c.Done > p.done {
		p.done = c.Done
	}
	if c.Failed > p.inconclusive {
		p.inconclusive = c.Failed
	}
}

// Running sets how many jobs are running (read from the queue, for a
// follower that works none itself).
func (p *Progress) Running(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running = n
}

// TargetAbandoned implements Observer.
func (p *Progress) TargetAbandoned(ts []Target) {
	p.mu.Lock()
	p.running -= len(ts)
	if p.running < 0 {
		p.running = 0
	}
	p.mu.Unlock()
}

// ScanEnded implements Observer.
func (p *Progress) ScanEnded(s Summary) {
	p.mu.Lock()
	stop, stopped := p.stop, p.stopped
	p.mu.Unlock()
	if stop != nil {
		close(stop)
		<-stopped
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stop = nil
	p.clearLocked()
	state := "finished"
	if s.Interrupted {
		state = fmt.Sprintf("interrupted, %d targets left pending (padlock scan --resume %d)", s.Total-s.Done, s.ScanID)
	}
	line := fmt.Sprintf("scan %d %s: %d/%d targets done in %s; this run: %d assessed (%d assessments, %d retries), %d inconclusive",
		s.ScanID, state, s.Done, s.Total, s.Elapsed.Round(100*time.Millisecond), s.Assessed, s.Assessments, s.Retries, s.Inconclusive)
	if s.DROWN > 0 {
		line += fmt.Sprintf(", %d with a fleet-wide DROWN finding", s.DROWN)
	}
	fmt.Fprintln(p.w, line)
	if pol := s.Politeness; pol.Dials > 0 {
		shared := ""
		if pol.SharedWrites > 0 {
			shared = fmt.Sprintf("; %d database writes held the limits with other workers", pol.SharedWrites)
		}
		fmt.Fprintf(p.w, "connections: %d to %d addresses, at most %d open at once to one address%s\n", pol.Dials, pol.Addresses, pol.PeakPerIP, shared)
	}
	if g := p.gradesLocked(); g != "" {
		fmt.Fprintln(p.w, "grades this run: "+g)
	}
}

// statusLocked is the status line.
func (p *Progress) statusLocked() string {
	elapsed := p.now().Sub(p.start)
	pct := 100.0
	if p.total > 0 {
		pct = 100 * float64(p.done) / float64(p.total)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "scan %d: %d/%d (%.0f%%)", p.scan, p.done, p.total, pct)
	if elapsed > 0 && p.doneHere > 0 {
		rate := float64(p.doneHere) / elapsed.Seconds()
		fmt.Fprintf(&b, " · %.1f/s", rate)
		left := p.total - p.done
		eta := time.Duration(float64(left) / rate * float64(time.Second))
		fmt.Fprintf(&b, " · ETA %s", fmtDuration(eta))
	} else {
		b.WriteString(" · ETA –")
	}
	fmt.Fprintf(&b, " · %d running · %d inconclusive · %s", p.running, p.inconclusive, fmtDuration(elapsed))
	return b.String()
}

func (p *Progress) gradesLocked() string {
	var parts []string
	for _, g := range grade.All() {
		if n := p.grades[string(g)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", g, n))
		}
	}
	var other []string
	for g := range p.grades {
		if !grade.Grade(g).Valid() {
			other = append(other, g)
		}
	}
	sort.Strings(other)
	for _, g := range other {
		parts = append(parts, fmt.Sprintf("%s %d", g, p.grades[g]))
	}
	if p.inconclusive > 0 {
		parts = append(parts, fmt.Sprintf("inconclusive %d", p.inconclusive))
	}
	return strings.Join(parts, ", ")
}

// printLocked prints a line of its own (above the status line on a
// terminal).
func (p *Progress) printLocked(s string) {
	p.clearLocked()
	fmt.Fprintln(p.w, s)
	if p.tty && p.stop != nil {
		p.drawLocked()
	}
}

func (p *Progress) drawLocked() {
	line := p.statusLocked()
	if utf8.RuneCountInString(line) > p.Width-1 {
		r := []rune(line)
		line = string(r[:p.Width-1])
	}
	fmt.Fprint(p.w, "\r\x1b[K"+line)
	p.drawn = true
}

func (p *Progress) clearLocked() {
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// fmtDuration is a short duration: "45s", "3m05s", "2h10m".
func fmtDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// Note prints a line of its own (above the status line on a terminal).
func (p *Progress) Note(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.printLocked(s)
}
