package tlswire

import (
	"errors"
	"fmt"
)

// ErrIncomplete is returned by the stream parsers (ParseRecord,
// ParseSSLv2Record, HandshakeReader.Next) when the input holds only part of a
// record or message. The caller should read more bytes and try again.
var ErrIncomplete = errors.New("tlswire: incomplete input")

// ErrNotTLS matches (under errors.Is) the error ParseRecord returns when the
// input does not start with a TLS record header: the peer is speaking some
// other protocol (an HTTP response, an SSH banner, SSLv2, ...). The returned
// error quotes the first bytes received.
var ErrNotTLS = errors.New("tlswire: peer is not speaking TLS")

// ErrNotSSLv2 matches the error ParseSSLv2Record returns when the input is
// recognisably not an SSLv2 record, typically because the peer answered with
// a TLS record (an alert, most often).
var ErrNotSSLv2 = errors.New("tlswire: peer is not speaking SSLv2")

// ErrMalformed matches (under errors.Is) every error that reports input
// violating the wire format: truncated fields, bad lengths, trailing bytes,
// values outside documented limits. The concrete error is a *ParseError.
var ErrMalformed = errors.New("tlswire: malformed input")

// ErrExplicitCurve matches the error ParseServerKeyExchange returns when the
// server sends explicit elliptic-curve parameters (ECCurveType
// explicit_prime or explicit_char2, RFC 4492 §5.4) instead of a named curve.
// Such servers are rare and this package does not decode the parameters.
var ErrExplicitCurve = errors.New("tlswire: explicit elliptic curve parameters")

// ParseError describes malformed input. Msg names what was being parsed
// ("ServerHello", "record", "key_share extension"), Detail what was wrong.
type ParseError struct {
	Msg    string
	Detail string
}

func (e *ParseError) Error() string {
	return "tlswire: malformed " + e.Msg + ": " + e.Detail
}

// Is reports whether target is ErrMalformed.
func (e *ParseError) Is(target error) bool { return target == ErrMalformed }

// malformed returns a *ParseError for msg with a formatted detail.
func malformed(msg, format string, args ...any) error {
	return &ParseError{Msg: msg, Detail: fmt.Sprintf(format, args...)}
}

// quotePrefix renders up to 16 leading bytes of b for an error message.
func quotePrefix(b []byte) string {
	if len(b) > 16 {
		return fmt.Sprintf("%q...", b[:16])
	}
	return fmt.Sprintf("%q", b)
}

// wrapMarshal reports a value that did not fit its length prefix.
func wrapMarshal(msg string, err error) error {
	return fmt.Errorf("tlswire: marshaling %s: %w", msg, err)
}
