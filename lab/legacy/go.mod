module padlock/lab/legacy

go 1.26.0

// 512-bit RSA keys are the whole point of RSA_EXPORT suites; Go refuses
// RSA keys under 1024 bits unless this is set. It applies to this module's
// binary and tests only, never to the padlock module.
godebug rsa1024min=0

require github.com/zmap/zcrypto v0.0.0-20250129210703-03c45d0bae98

require (
	github.com/weppos/publicsuffix-go v0.40.3-0.20250127173806-e489a31678ca // indirect
	github.com/zmap/rc2 v0.0.0-20190804163417-abaa70531248 // indirect
	golang.org/x/crypto v0.32.0 // indirect
	golang.org/x/net v0.34.0 // indirect
	golang.org/x/sys v0.29.0 // indirect
	golang.org/x/text v0.21.0 // indirect
)
