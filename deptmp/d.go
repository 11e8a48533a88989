// Package deptmp pins dependencies while the packages that use them are written.
package deptmp

import (
	_ "github.com/pressly/goose/v3"
	_ "golang.org/x/time/rate"
	_ "modernc.org/sqlite"
)
