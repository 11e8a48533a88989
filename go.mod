module padlock

go 1.26.0

require (
	github.com/zmap/zcrypto v0.0.0-20260906180147-3ed30b1e9340
	github.com/zmap/zlint/v3 v3.7.3
	golang.org/x/crypto v0.58.0
	golang.org/x/crypto/x509roots/fallback v0.0.0-20261030153154-30a33513ff6d
	golang.org/x/net v0.62.0
)

require (
	github.com/pelletier/go-toml v1.9.5 // indirect
	github.com/weppos/publicsuffix-go v0.50.4-0.20260821095816-b0fdb5c2d345 // indirect
	golang.org/x/text v0.43.0 // indirect
)

// zlint v3.7.3 needs a publicsuffix-go pseudo-version the module proxy refuses; use the one zcrypto pins.
replace github.com/weppos/publicsuffix-go => github.com/weppos/publicsuffix-go v0.50.4-0.20260715080728-6ed62ce99a4a
