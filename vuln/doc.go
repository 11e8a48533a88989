// Package vuln tests an endpoint for the TLS vulnerabilities SSL Labs grades
// on, each check in its own file, each answer backed by the bytes or alerts
// that decided it.
//
// Check runs every check against one endpoint, reusing what the prober
// (package probe) already learned: checks whose precondition the endpoint
// lacks (no SSLv3, no CBC suite, no RSA key exchange...) are NotApplicable
// without a connection. The rest open bounded, counted connections through
// the prober's Dialer, most of them finishing a real handshake with the
// minimal TLS 1.0-1.2 client of vuln/internal/handshake.
//
// Every check ends in one of four states: NotVulnerable, Vulnerable (with a
// Severity that separates exploitable from not where the distinction
// exists), NotApplicable, or Inconclusive with the reason (timeout, reset,
// unexpected answer). A check never reports Vulnerable on a guess: the
// evidence that decided it (alerts, the first 64 bytes of a response,
// connection counts) is kept in the Finding. The Report carries the results
// under SSL Labs' API v3 EndpointDetails names and value conventions.
//
// Checks run side by side, within the Dialer's limit on connections open
// at once. A probe left unanswered counts as silence once it has waited
// eight times the slowest answer the server gave to its sibling probes (at
// least 300 ms, at most Options.Wait; the whole wait when a sibling got no
// answer either): the server has processed the message by then
// (silenceAfter in reaction.go). Each finding records its wall time and
// connections.
//
// Where a check goes past what the public sources pin down, the choice is
// padlock's and documented in the check's file: the record layouts of the
// 2019 CBC padding oracles (padding_oracle.go) and the mapping of ROBOT
// reactions to weak and strong oracles (robot.go).
package vuln
