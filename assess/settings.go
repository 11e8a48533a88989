package assess

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"padlock/netguard"
	"padlock/pki"
	"padlock/probe"
	"padlock/vuln"
	"padlock/web"
)

// Defaults of Settings.
const (
	// DefaultTimeout bounds one connection (and one plain-HTTP request).
	DefaultTimeout = 10 * time.Second
	// DefaultBudget bounds one target in all: every endpoint, its checks
	// and its plain-HTTP side (and, in a fleet scan, every retry).
	DefaultBudget = 5 * time.Minute
	// DefaultConnections is how many connections are open at once to one
	// endpoint.
	DefaultConnections = 4
)

// Settings are the choices a user makes about how a site is assessed,
// declared once for every command that assesses (padlock check, scan,
// serve and worker) so that the same site gets the same grade and the same
// findings whichever of them judged it. A fleet scan records them with the
// scan. Settings.Options turns them into the Options of Assess.
//
// The zero value is not the default: start from DefaultSettings.
type Settings struct {
	// Timeout bounds one connection, and one request of the plain-HTTP
	// side.
	Timeout time.Duration
	// Budget bounds one target in all: every endpoint, the vulnerability
	// checks and the plain-HTTP side; a fleet scan's retries share it.
	Budget time.Duration
	// Connections is how many connections may be open at once to one
	// endpoint (a fleet scan's per-IP limit may lower it).
	Connections int
	// FetchIssuers completes a chain that lacks intermediates from the
	// certificates' AIA caIssuers URLs, as most browsers do, so that a
	// missing intermediate is graded as an incomplete chain (capped at B)
	// rather than an untrusted one. On by default everywhere.
	FetchIssuers bool
	// CAFile is a PEM file of CA certificates trusted besides the Mozilla
	// roots (private or test PKIs), read with ReadCAFile.
	CAFile string
	// Vuln runs the vulnerability checks (Heartbleed, ROBOT, padding
	// oracles...). On by default.
	Vuln bool
	// Web checks the plain-HTTP side (redirects, HSTS, forms asking for
	// personal data). On by default.
	Web bool
	// InternalTargets lets targets resolve to non-public addresses
	// (private, loopback, link-local, carrier-grade NAT...). The commands a
	// person runs for themselves (check, scan) assess what they are told
	// to; a served scanner (serve, worker) refuses such targets unless this
	// is set, so that whoever can reach it cannot map the network it runs
	// in.
	InternalTargets bool
	// InternalFetches lets what a scanned site points padlock to (AIA
	// caIssuers URLs, redirects, links to other hosts) be on non-public
	// addresses. Off, such addresses are refused after resolution and at
	// the socket, before any connection (package netguard): a scanned site
	// must not make padlock reach the network it runs in, such as a cloud
	// metadata service on 169.254.169.254. The targets themselves are
	// InternalTargets' business. Tests and the lab, all on loopback, set
	// it.
	InternalFetches bool
}

// FetchPolicy is the netguard policy for the addresses a scanned site
// hands padlock: AllowPrivate only with InternalFetches.
func (s Settings) FetchPolicy() netguard.Policy {
	if s.InternalFetches {
		return netguard.AllowPrivate
	}
	return netguard.PublicOnly
}

// DefaultSettings are the settings when nothing is said: AIA fetching,
// vulnerability checks and the plain-HTTP side on, the default bounds,
// internal targets refused (the commands that allow them say so).
func DefaultSettings() Settings {
	return Settings{
		Timeout:      DefaultTimeout,
		Budget:       DefaultBudget,
		Connections:  DefaultConnections,
		FetchIssuers: true,
		Vuln:         true,
		Web:          true,
	}
}

// ErrCAFile marks a --ca-file that cannot be used: missing, unreadable, or
// not a PEM bundle of certificates.
var ErrCAFile = errors.New("CA file")

// Options returns the assessment options of s: CAFile read as extra roots,
// an AIA fetcher (over a plain HTTP client bounded by Timeout) when
// FetchIssuers, the vulnerability checks and the plain-HTTP side when
// asked for. A served scanner replaces the AIA fetcher with one that goes
// through its address guard. An unusable CAFile is an error wrapping
// ErrCAFile.
func (s Settings) Options() (Options, error) {
	o := Options{
		Budget: s.Budget,
		Probe:  probeOptions(s),
	}
	if s.CAFile != "" {
		roots, err := ReadCAFile(s.CAFile)
		if err != nil {
			return Options{}, err
		}
		o.PKI.ExtraRoots = roots
	}
	if s.FetchIssuers {
		g := &netguard.Guard{Policy: s.FetchPolicy(), Hint: netguard.SiteHint}
		o.PKI.FetchIssuer = pki.HTTPIssuerFetcher(&http.Client{Transport: g.Transport()}, 0, s.Timeout)
	}
	if s.Vuln {
		o.Vuln = &vuln.Options{}
	}
	if s.Web {
		o.Web = &web.Options{Timeout: s.Timeout, Policy: s.FetchPolicy()}
	}
	return o, nil
}

// probeOptions are the prober's bounds of s.
func probeOptions(s Settings) probe.Options {
	return probe.Options{Timeout: s.Timeout, Concurrency: s.Connections, Budget: s.Budget}
}

// ReadCAFile reads a PEM bundle of CA certificates, the one reader of
// --ca-file. Text outside PEM blocks (the comments of ca-bundle files) is
// ignored; a file without any certificate, a block that is not a
// certificate, or one that does not parse is an error (wrapping ErrCAFile).
func ReadCAFile(path string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCAFile, err)
	}
	var certs []*x509.Certificate
	for rest := b; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("%w %s: block %d is a %s, not a CERTIFICATE", ErrCAFile, path, len(certs)+1, blk.Type)
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w %s: certificate %d: %v", ErrCAFile, path, len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%w %s: no PEM certificate found", ErrCAFile, path)
	}
	return certs, nil
}

// settingsJSON is Settings as stored: durations as Go duration strings
// ("5m0s"), as scans have always recorded them.
type settingsJSON struct {
	Timeout         string `json:"timeout"`
	Budget          string `json:"budget"`
	Connections     int    `json:"connections,omitempty"`
	FetchIssuers    bool   `json:"fetchIssuers"`
	CAFile          string `json:"caFile,omitempty"`
	Vuln            bool   `json:"vuln"`
	Web             bool   `json:"web"`
	InternalTargets bool   `json:"internalTargets,omitempty"`
	InternalFetches bool   `json:"internalFetches,omitempty"`
}

// MarshalJSON writes the durations as Go duration strings.
func (s Settings) MarshalJSON() ([]byte, error) {
	return json.Marshal(settingsJSON{
		Timeout:         s.Timeout.String(),
		Budget:          s.Budget.String(),
		Connections:     s.Connections,
		FetchIssuers:    s.FetchIssuers,
		CAFile:          s.CAFile,
		Vuln:            s.Vuln,
		Web:             s.Web,
		InternalTargets: s.InternalTargets,
		InternalFetches: s.InternalFetches,
	})
}

// UnmarshalJSON reads what MarshalJSON wrote. A missing or bad duration
// is left zero; a missing fetchIssuers is false (what scans recorded before
// AIA fetching was a setting did without it).
func (s *Settings) UnmarshalJSON(b []byte) error {
	var j settingsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Settings{
		Connections:     j.Connections,
		FetchIssuers:    j.FetchIssuers,
		CAFile:          j.CAFile,
		Vuln:            j.Vuln,
		Web:             j.Web,
		InternalTargets: j.InternalTargets,
		InternalFetches: j.InternalFetches,
	}
	s.Timeout, _ = time.ParseDuration(j.Timeout)
	s.Budget, _ = time.ParseDuration(j.Budget)
	return nil
}
