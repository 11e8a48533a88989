// Package tlswire encodes and parses the TLS and SSLv2 wire format that
// padlock's prober speaks: records, handshake messages, extensions, alerts
// and heartbeats. It does no I/O.
//
// Messages follow the shape of crypto/tls: one struct per message, a Marshal
// method that returns the complete handshake message (with its 4-byte
// header) and a Parse function that takes the handshake body (without the
// header). All parsing and building goes through
// golang.org/x/crypto/cryptobyte.
//
// Parsers are written for hostile input. They never panic, never allocate
// more than the input implies, reject lengths beyond the limits documented on
// each function (MaxRecordPayload, MaxHandshakeMessage, 32-byte session IDs,
// 32767-byte SSLv2 records, ...) and report malformed input with an error
// that matches ErrMalformed under errors.Is and says what was being parsed.
// Unless a function documents otherwise, the byte slices in a parsed message
// alias the input; ParseRecord, ParseSSLv2Record and HandshakeReader return
// copies, since their callers usually reuse their read buffers.
//
// Marshal methods are lenient: they encode whatever the caller asks for, even
// values a conforming peer would reject (over-long session IDs, GREASE,
// lying heartbeat lengths), so that the prober can test a server's reaction.
// They fail only when a value does not fit its length prefix. The extension
// constructors, which return a bare Extension, panic in that case instead;
// that is always a programming error (for example a 300-byte ALPN protocol
// name), never a consequence of what a peer sent.
package tlswire
