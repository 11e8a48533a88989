// Package grade implements padlock's rating: SSL Labs' SSL Server Rating
// Guide (revision 2009r) plus padlock's U grade, as specified in
// docs/grading.md. Facts in; grade, scores, fired rules with evidence and
// remedies out.
//
// The package is pure: Evaluate does no I/O, reads no clock (the
// evaluation time is Facts.Now) and depends on nothing but its input, so
// re-grading stored Facts gives the same Result. Facts and Result marshal
// to JSON and back without loss.
//
// # Pipeline
//
// Evaluate follows docs/grading.md §0:
//
//  1. U when no handshake completes (decision 1); no grade at all when the
//     scan was inconclusive.
//  2. The three category scores (protocol support, key exchange, cipher
//     strength) and their exact weighted total (§1, decision 14), turned
//     into a letter.
//  3. Every rule of §2 (A1…F5) is evaluated; each one that fires is a
//     Finding with its rule id, effect, reason, evidence and remedy.
//     Rules whose facts were not gathered are listed in NotEvaluated, and
//     the result is Provisional when one of them could change the grade.
//  4. The letter is lowered to every cap that fired; F rules set F.
//  5. A-/A+ (§3): an A with a warning is A-; an A with no warning, a long
//     HSTS policy and nothing else blocking it is A+.
//  6. M (name mismatch) and then T (trust) replace the grade, which is kept
//     in GradeTrustIgnored (decision 4).
//
// Dated rules (browsers' CA distrusts, registry.Distrusts) are applied at
// Facts.Now by A7; when one whose date is still ahead would change the
// grade, Result.FutureGrade says which grade from when (SSL Labs'
// futureGrade). The certificate warnings "lifetime" (longer than the
// CA/Browser Forum allowed on the issue date) and "expiry" (fewer than 30
// days left) have no effect on the grade.
//
// Everything that depends on the rating guide's revision (weights, tables,
// thresholds, the rule list and each rule's effect) is in criteria.go.
//
// # Negotiation rules
//
// C6 (forward secrecy), D4 (RC4 with TLS 1.1+), D6 (64-bit block ciphers
// with TLS 1.1+) and D7 (AEAD) concern what clients actually negotiate,
// not what the server merely accepts (decision 9). They are judged from
// handshake simulation (Facts.Sims, reference clients only) when it is
// available, otherwise from the handshake a modern browser's ClientHello
// gets (Facts.Negotiated); Result.NegotiationJudgedBy says which.
package grade
