package tlswire

import (
	"strconv"
)

// Alert levels.
const (
	AlertLevelWarning uint8 = 1
	AlertLevelFatal   uint8 = 2
)

// AlertDescription is an alert code (RFC 8446 §6, RFC 5246 §7.2 and the
// extensions' RFCs).
type AlertDescription uint8

// Alert descriptions.
const (
	AlertCloseNotify                  AlertDescription = 0
	AlertUnexpectedMessage            AlertDescription = 10
	AlertBadRecordMAC                 AlertDescription = 20
	AlertDecryptionFailed             AlertDescription = 21 // TLS 1.0 only
	AlertRecordOverflow               AlertDescription = 22
	AlertDecompressionFailure         AlertDescription = 30 // SSLv3 to TLS 1.2
	AlertHandshakeFailure             AlertDescription = 40
	AlertNoCertificate                AlertDescription = 41 // SSLv3 only
	AlertBadCertificate               AlertDescription = 42
	AlertUnsupportedCertificate       AlertDescription = 43
	AlertCertificateRevoked           AlertDescription = 44
	AlertCertificateExpired           AlertDescription = 45
	AlertCertificateUnknown           AlertDescription = 46
	AlertIllegalParameter             AlertDescription = 47
	AlertUnknownCA                    AlertDescription = 48
	AlertAccessDenied                 AlertDescription = 49
	AlertDecodeError                  AlertDescription = 50
	AlertDecryptError                 AlertDescription = 51
	AlertExportRestriction            AlertDescription = 60 // TLS 1.0 only
	AlertProtocolVersion              AlertDescription = 70
	AlertInsufficientSecurity         AlertDescription = 71
	AlertInternalError                AlertDescription = 80
	AlertInappropriateFallback        AlertDescription = 86 // RFC 7507
	AlertUserCanceled                 AlertDescription = 90
	AlertNoRenegotiation              AlertDescription = 100
	AlertMissingExtension             AlertDescription = 109
	AlertUnsupportedExtension         AlertDescription = 110
	AlertCertificateUnobtainable      AlertDescription = 111 // RFC 6066
	AlertUnrecognizedName             AlertDescription = 112
	AlertBadCertificateStatusResponse AlertDescription = 113
	AlertBadCertificateHashValue      AlertDescription = 114 // RFC 6066
	AlertUnknownPSKIdentity           AlertDescription = 115
	AlertCertificateRequired          AlertDescription = 116
	AlertNoApplicationProtocol        AlertDescription = 120
	AlertECHRequired                  AlertDescription = 121
)

var alertNames = map[AlertDescription]string{
	AlertCloseNotify:                  "close_notify",
	AlertUnexpectedMessage:            "unexpected_message",
	AlertBadRecordMAC:                 "bad_record_mac",
	AlertDecryptionFailed:             "decryption_failed",
	AlertRecordOverflow:               "record_overflow",
	AlertDecompressionFailure:         "decompression_failure",
	AlertHandshakeFailure:             "handshake_failure",
	AlertNoCertificate:                "no_certificate",
	AlertBadCertificate:               "bad_certificate",
	AlertUnsupportedCertificate:       "unsupported_certificate",
	AlertCertificateRevoked:           "certificate_revoked",
	AlertCertificateExpired:           "certificate_expired",
	AlertCertificateUnknown:           "certificate_unknown",
	AlertIllegalParameter:             "illegal_parameter",
	AlertUnknownCA:                    "unknown_ca",
	AlertAccessDenied:                 "access_denied",
	AlertDecodeError:                  "decode_error",
	AlertDecryptError:                 "decrypt_error",
	AlertExportRestriction:            "export_restriction",
	AlertProtocolVersion:              "protocol_version",
	AlertInsufficientSecurity:         "insufficient_security",
	AlertInternalError:                "internal_error",
	AlertInappropriateFallback:        "inappropriate_fallback",
	AlertUserCanceled:                 "user_canceled",
	AlertNoRenegotiation:              "no_renegotiation",
	AlertMissingExtension:             "missing_extension",
	AlertUnsupportedExtension:         "unsupported_extension",
	AlertCertificateUnobtainable:      "certificate_unobtainable",
	AlertUnrecognizedName:             "unrecognized_name",
	AlertBadCertificateStatusResponse: "bad_certificate_status_response",
	AlertBadCertificateHashValue:      "bad_certificate_hash_value",
	AlertUnknownPSKIdentity:           "unknown_psk_identity",
	AlertCertificateRequired:          "certificate_required",
	AlertNoApplicationProtocol:        "no_application_protocol",
	AlertECHRequired:                  "ech_required",
}

// String returns the RFC name of d ("handshake_failure"), or "alert(N)".
func (d AlertDescription) String() string {
	if s, ok := alertNames[d]; ok {
		return s
	}
	return "alert(" + strconv.Itoa(int(d)) + ")"
}

// Alert is the payload of an alert record.
type Alert struct {
	Level       uint8 // AlertLevelWarning or AlertLevelFatal
	Description AlertDescription
}

// ParseAlert parses the payload of an alert record, which must be exactly
// two bytes. The level is not checked, so that odd values can be reported.
func ParseAlert(payload []byte) (Alert, error) {
	if len(payload) != 2 {
		return Alert{}, malformed("alert", "want 2 bytes, got %d", len(payload))
	}
	return Alert{Level: payload[0], Description: AlertDescription(payload[1])}, nil
}

// Marshal returns the two-byte alert payload.
func (a Alert) Marshal() []byte {
	return []byte{a.Level, byte(a.Description)}
}

// String returns e.g. "fatal alert handshake_failure".
func (a Alert) String() string {
	var level string
	switch a.Level {
	case AlertLevelWarning:
		level = "warning"
	case AlertLevelFatal:
		level = "fatal"
	default:
		level = "level " + strconv.Itoa(int(a.Level))
	}
	return level + " alert " + a.Description.String()
}
