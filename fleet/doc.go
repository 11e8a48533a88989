// Package fleet scans many sites: it reads a targets file, assesses every
// target politely and concurrently, stores each result as soon as it is
// done (package store), and resumes a scan that was stopped.
//
// # Targets
//
// ParseTargets reads CSV with a header (organisation and url required;
// group, tags separated by ';', notes, and ip to pin addresses) or a plain
// list of hosts and URLs, one per line. Bad rows are reported with their
// line numbers and left out; ParseOptions.Strict refuses the file instead.
// The file is bounded (16 MiB, 100,000 rows, 8 KiB per field).
//
// # Running a scan
//
//	tf, _ := fleet.LoadTargets("fleet.csv", fleet.ParseOptions{})
//	id, _ := fleet.CreateScan(ctx, st, "July", "fleet.csv", tf.Targets, opts) // the scan and its jobs
//	sum, err := fleet.Run(ctx, st, id, opts) // work it here; again with the same id to resume
//
// A scan is its row, its targets and one River job (ScanJob, package
// queue) per endpoint: targets with the same host, ports and pinned
// addresses share one assessment (the main site and its /report page are
// one TLS endpoint), and each target still gets its own stored result.
// CreateScan writes them in one transaction. Run works the queue in this
// process until the scan is finished; `padlock worker` processes
// (Register) work it on any number of machines sharing a PostgreSQL
// database, each scan with its recorded Settings.
//
// What River brings: a job runs on one worker at a time; an inconclusive
// target (no grade at all: timeouts, resets) is returned as an error and
// run again after the back-off (5 s, then 10 s, ±25%) while retries are
// left, a U or any grade is final; a job whose worker died is run again
// (queue.RescueDead on the same machine at once, River's rescue after
// queue.Options.RescueAfter elsewhere) and skips the targets already
// saved. Each (scan, target) has one stored assessment, saved as soon as
// it is done and saved again while the database is away rather than
// dropped. An assessment that panics is stored as failed with the reason
// and its job cancelled; the scan goes on. Cancelling Run's context stops
// gracefully: nothing new starts, running jobs get Options.Grace (10 s)
// to finish and be saved, the rest stay queued and the scan is marked
// interrupted. The job that saves a scan's last target queues its finish
// job: MarkDROWN looks for keys shared with SSL 2.0 endpoints across the
// scan and re-grades (rule E5), and the scan is marked finished. A
// periodic sweep (every SweepEvery, on River's leader) finishes the scans
// whose finish job was lost while the database was away.
//
// # Politeness
//
// Every connection the prober and the web check open goes through
// Politeness.Dial, which holds, per IP address and whatever the number of
// targets (and of worker processes) sharing it — the limits live in the
// database (Politeness.Share, store's ip_holds: one process at a time
// holds an address and applies the limits itself) unless
// Options.Local:
//
//   - at most 4 connections open at once (Options.PerIP, --per-ip); a
//     connection gives its slot back only once the server has closed its
//     side (half-close, then wait up to 300 ms), so the server never counts
//     more;
//   - at most 10 new connections per second, in bursts of up to 4
//     (Options.Rate, --rate; a token bucket from golang.org/x/time/rate).
//
// The per-connection timeout (10 s) runs from the moment a connection has
// its slot and token, so that queueing at a busy address is never mistaken
// for a slow server. A full assessment of one endpoint takes about 55
// connections (protocols, every suite, groups, 25 simulated clients), so
// at the default rate one endpoint takes about 6 s however fast it is;
// many targets on different addresses run side by side.
//
// # Results
//
// Each target's store.Assessment carries the typed columns (grade, flags,
// protocols, certificate expiry...) and, as its Result, the JSON of Result:
// the target, the assess.Host, the attempts, the targets that shared the
// assessment and the fleet-wide DROWN findings. package stored turns a
// stored assessment into what package change compares.
//
// # Progress
//
// Progress is an Observer that draws a live status line on a terminal
// (done/total, rate, ETA, running, inconclusive) and prints plain lines
// every 10 seconds elsewhere. Its counts come from the database too, so
// that targets other workers assessed count; Follow draws any scan's
// progress from the database without working on it.
package fleet
