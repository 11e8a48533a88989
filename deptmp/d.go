// Package deptmp pins dependencies while the packages that use them are written.
package deptmp

import (
	_ "github.com/zmap/zlint/v3"
	_ "golang.org/x/crypto/ocsp"
	_ "golang.org/x/crypto/x509roots/fallback/bundle"
	_ "golang.org/x/net/html"
	_ "golang.org/x/net/publicsuffix"
)
