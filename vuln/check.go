package vuln

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"padlock/probe"
	"padlock/registry"
	"padlock/vuln/internal/handshake"
)

// Check ids, in the order findings are reported.
const (
	CheckHeartbleed            = "heartbleed"
	CheckHeartbeat             = "heartbeat"
	CheckCCS                   = "ccs-injection"
	CheckPoodle                = "poodle"
	CheckPoodleTLS             = "poodle-tls"
	CheckFallbackSCSV          = "fallback-scsv"
	CheckSecureRenegotiation   = "secure-renegotiation"
	CheckInsecureRenegotiation = "insecure-renegotiation"
	CheckClientRenegotiation   = "client-renegotiation"
	CheckCompression           = "compression"
	CheckFREAK                 = "freak"
	CheckLogjam                = "logjam"
	CheckDHPrimes              = "dh-known-primes"
	CheckDROWN                 = "drown"
	CheckSWEET32               = "sweet32"
	CheckRC4                   = "rc4"
	CheckBEAST                 = "beast"
	CheckLucky13               = "lucky13"
	CheckROBOT                 = "robot"
	CheckTicketbleed           = "ticketbleed"
	CheckLuckyMinus20          = "lucky-minus-20"
	CheckZombiePoodle          = "zombie-poodle"
	CheckGoldenDoodle          = "goldendoodle"
	CheckZeroLength            = "zero-length-padding-oracle"
	CheckSleepingPoodle        = "sleeping-poodle"
	CheckZeroRTT               = "zero-rtt"
)

// checkNames are the display names.
var checkNames = map[string]string{
	CheckHeartbleed:            "Heartbleed (CVE-2014-0160)",
	CheckHeartbeat:             "Heartbeat extension",
	CheckCCS:                   "OpenSSL CCS injection (CVE-2014-0224)",
	CheckPoodle:                "POODLE (SSL 3.0)",
	CheckPoodleTLS:             "POODLE TLS (CVE-2014-8730)",
	CheckFallbackSCSV:          "Downgrade protection (TLS_FALLBACK_SCSV)",
	CheckSecureRenegotiation:   "Secure renegotiation (RFC 5746)",
	CheckInsecureRenegotiation: "Insecure client-initiated renegotiation",
	CheckClientRenegotiation:   "Secure client-initiated renegotiation",
	CheckCompression:           "TLS compression (CRIME)",
	CheckFREAK:                 "FREAK (RSA export)",
	CheckLogjam:                "Logjam (DH below 1024 bits)",
	CheckDHPrimes:              "Well-known DH primes",
	CheckDROWN:                 "DROWN (SSLv2)",
	CheckSWEET32:               "SWEET32 (64-bit block ciphers)",
	CheckRC4:                   "RC4",
	CheckBEAST:                 "BEAST",
	CheckLucky13:               "Lucky13",
	CheckROBOT:                 "ROBOT (Bleichenbacher oracle)",
	CheckTicketbleed:           "Ticketbleed (CVE-2016-9244)",
	CheckLuckyMinus20:          "OpenSSL padding oracle (CVE-2016-2107, LuckyMinus20)",
	CheckZombiePoodle:          "Zombie POODLE",
	CheckGoldenDoodle:          "GOLDENDOODLE",
	CheckZeroLength:            "OpenSSL 0-length padding oracle (CVE-2019-1559)",
	CheckSleepingPoodle:        "Sleeping POODLE",
	CheckZeroRTT:               "TLS 1.3 0-RTT (early data)",
}

// Checks lists every check id in report order.
func Checks() []string {
	return []string{
		CheckHeartbleed, CheckHeartbeat, CheckCCS, CheckPoodle, CheckPoodleTLS,
		CheckFallbackSCSV, CheckSecureRenegotiation, CheckInsecureRenegotiation,
		CheckClientRenegotiation, CheckCompression, CheckFREAK, CheckLogjam,
		CheckDHPrimes, CheckDROWN, CheckSWEET32, CheckRC4, CheckBEAST, CheckLucky13,
		CheckROBOT, CheckTicketbleed, CheckLuckyMinus20, CheckZombiePoodle,
		CheckGoldenDoodle, CheckZeroLength, CheckSleepingPoodle, CheckZeroRTT,
	}
}

// Name is the display name of a check id.
func Name(check string) string { return checkNames[check] }

// Options bound the checks. Zero values pick the defaults.
type Options struct {
	// Wait bounds how long a check waits for the server's reaction to one
	// probe (an alert, a close, an answer) before calling it silence.
	// Default 5 seconds. Connections are also bounded by the Dialer's own
	// timeout.
	Wait time.Duration
	// Budget bounds all checks together. Default 3 minutes.
	Budget time.Duration
	// MaxConnections caps the connections the checks open together.
	// Default 200; a check that runs out is Inconclusive.
	MaxConnections int
	// Checks, if not empty, runs only these check ids.
	Checks []string
	// HTTPHost is the Host header of the HTTP requests the padding-oracle
	// checks send; default the endpoint's SNI, host name or address.
	HTTPHost string
	// Session, when set, carries a session from Check to SessionResumption
	// run with the same Options (side by side): the full handshake the
	// client-renegotiation check completes, when it ends cleanly, is the
	// one the resumption test offers again instead of making its own.
	Session *SessionShare
}

// A SessionShare hands a TLS 1.0-1.2 session that one check completed
// cleanly to the resumption test. Make one with NewSessionShare.
type SessionShare struct {
	once sync.Once
	done chan struct{}
	cfg  handshake.Config // the full handshake's hello
	sid  []byte           // the session ID the server gave
}

// NewSessionShare returns an empty SessionShare.
func NewSessionShare() *SessionShare { return &SessionShare{done: make(chan struct{})} }

// offer leaves the session (or none: a nil sid) for the resumption test;
// only the first offer counts. A nil s takes nothing.
func (s *SessionShare) offer(cfg handshake.Config, sid []byte) {
	if s == nil {
		return
	}
	s.once.Do(func() {
		s.cfg, s.sid = cfg, sid
		close(s.done)
	})
}

// take waits for the offer, at most wait, and returns the session ID when
// its handshake had the hello cfg; nil when none was offered in time (the
// caller then makes its own handshake, and a later offer is unused).
func (s *SessionShare) take(ctx context.Context, cfg handshake.Config, wait time.Duration) []byte {
	if s == nil {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-s.done:
	case <-t.C:
		return nil
	case <-ctx.Done():
		return nil
	}
	if len(s.sid) == 0 || !sameHello(s.cfg, cfg) {
		return nil
	}
	return s.sid
}

// sameHello reports whether two configurations send the same ClientHello
// (up to random values).
func sameHello(a, b handshake.Config) bool {
	return a.Version == b.Version && slices.Equal(a.Suites, b.Suites) && slices.Equal(a.SCSVs, b.SCSVs) &&
		a.ServerName == b.ServerName && len(a.Extra) == 0 && len(b.Extra) == 0 &&
		a.NoRenegotiationInfo == b.NoRenegotiationInfo && a.OfferTicket == b.OfferTicket && len(a.Ticket) == 0 && len(b.Ticket) == 0 &&
		len(a.SessionID) == 0 && len(b.SessionID) == 0 && a.Heartbeat == b.Heartbeat
}

func (o Options) withDefaults() Options {
	if o.Wait <= 0 {
		o.Wait = 5 * time.Second
	}
	if o.Budget <= 0 {
		o.Budget = 3 * time.Minute
	}
	if o.MaxConnections <= 0 {
		o.MaxConnections = 200
	}
	return o
}

// group is a set of checks run together (they share connections).
type group struct {
	ids []string
	run func(ctx context.Context, t *run) []Finding
}

var groups = []group{
	{[]string{CheckHeartbleed, CheckHeartbeat, CheckCCS}, checkFirstFlight},
	{[]string{CheckPoodle}, one(checkPoodle)},
	{[]string{CheckFallbackSCSV}, one(checkFallbackSCSV)},
	{[]string{CheckSecureRenegotiation, CheckInsecureRenegotiation, CheckClientRenegotiation}, checkRenegotiation},
	{[]string{CheckCompression}, one(checkCompression)},
	{[]string{CheckFREAK}, one(checkFREAK)},
	{[]string{CheckLogjam}, one(checkLogjam)},
	{[]string{CheckDHPrimes}, one(checkDHPrimes)},
	{[]string{CheckDROWN}, one(checkDROWN)},
	{[]string{CheckSWEET32}, one(checkSWEET32)},
	{[]string{CheckRC4}, one(checkRC4)},
	{[]string{CheckBEAST}, one(checkBEAST)},
	{[]string{CheckLucky13}, one(checkLucky13)},
	{[]string{CheckROBOT}, one(checkROBOT)},
	{[]string{CheckTicketbleed}, one(checkTicketbleed)},
	{[]string{CheckPoodleTLS, CheckLuckyMinus20, CheckZombiePoodle, CheckGoldenDoodle, CheckZeroLength, CheckSleepingPoodle}, checkPaddingOracles},
	{[]string{CheckZeroRTT}, one(checkZeroRTT)},
}

// checkFirstFlight runs Heartbleed (with the heartbeat finding) and CCS
// injection, the two probes sent right after the server's first flight,
// on one connection when they can share it: the hello is the CCS probe's,
// offering heartbeat. A server that does not negotiate heartbeat is
// judged on its ServerHello (heartbeatNotNegotiated), and the connection
// then carries the CCS probe. One that negotiates it gets the heartbeat
// requests there, and the CCS probe its own connection, as when either
// runs alone (checkHeartbleed, checkCCS), which is also what happens when
// the shared hello fails.
//
// When the renegotiation checks will ask whether the server takes a hello
// without renegotiation_info or its SCSV (secureRequired), the shared
// hello carries neither, and a ServerHello in answer is that answer too
// (r.noRI). A failed shared hello answers nothing: its cause is not known,
// so secureRequired then sends its own.
func checkFirstFlight(ctx context.Context, r *run) []Finding {
	hb, ccs := r.want(CheckHeartbleed) || r.want(CheckHeartbeat), r.want(CheckCCS)
	_, hbNA := heartbleedConfig(r)
	cfg, ccsNA := ccsConfig(r)
	if !hb || !ccs || hbNA != nil || ccsNA != nil {
		// No shared hello: secureRequired sends its own at once.
		r.noRI.settle(false, 0)
		switch {
		case !ccs:
			return checkHeartbleed(ctx, r)
		case !hb:
			return []Finding{checkCCS(ctx, r)}
		}
		return append(checkHeartbleed(ctx, r), checkCCS(ctx, r))
	}
	shared := cfg
	shared.Heartbeat = true
	shared.NoRenegotiationInfo = r.wantsSecureRequired()
	c, pc, err := r.newClient(ctx, shared)
	if err == nil {
		if err = c.SendHello(); err == nil {
			err = c.ReadServerHello()
		}
		// A ServerHello to a hello without renegotiation_info is
		// secureRequired's answer; anything else is no answer.
		r.noRI.settle(err == nil && shared.NoRenegotiationInfo, c.Version)
		if err == nil {
			err = c.ReadFlight()
		}
		if err != nil {
			pc.Close()
		}
	}
	r.noRI.settle(false, 0)
	if err != nil {
		return append(checkHeartbleed(ctx, r), checkCCS(ctx, r))
	}
	if heartbeatNegotiated(c) {
		return append(heartbleedOn(ctx, r, c, pc), checkCCS(ctx, r))
	}
	return append(heartbeatNotNegotiated(c), ccsOn(ctx, r, c, pc, cfg))
}

// wantsSecureRequired reports whether checkRenegotiation will run
// secureRequired.
func (t *target) wantsSecureRequired() bool {
	e := t.res.Extensions
	runs := t.want(CheckSecureRenegotiation) || t.want(CheckInsecureRenegotiation) || t.want(CheckClientRenegotiation)
	return runs && e.Protocol != 0 && e.SecureRenegotiation
}

// helloAnswer is whether the server answered a hello without
// renegotiation_info or its SCSV with a ServerHello, as one check group
// learnt it for another (checkFirstFlight for secureRequired).
type helloAnswer struct {
	once     sync.Once
	done     chan struct{}
	accepted bool
	version  uint16
}

func newHelloAnswer() *helloAnswer { return &helloAnswer{done: make(chan struct{})} }

// settle records the answer (accepted false: none); only the first counts.
// A nil h records nothing.
func (h *helloAnswer) settle(accepted bool, version uint16) {
	if h == nil {
		return
	}
	h.once.Do(func() {
		h.accepted, h.version = accepted, version
		close(h.done)
	})
}

// take waits for the answer, at most wait: accepted reports a ServerHello.
func (h *helloAnswer) take(ctx context.Context, wait time.Duration) (accepted bool, version uint16) {
	if h == nil {
		return false, 0
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-h.done:
		return h.accepted, h.version
	case <-t.C:
	case <-ctx.Done():
	}
	return false, 0
}

func one(f func(ctx context.Context, t *run) Finding) func(ctx context.Context, t *run) []Finding {
	return func(ctx context.Context, t *run) []Finding { return []Finding{f(ctx, t)} }
}

// Check runs the checks against the endpoint d connects to, using what
// the prober learned (res). It always returns a report; checks cut short
// by the budget, the connection cap or ctx are Inconclusive.
func Check(ctx context.Context, d *probe.Dialer, res *probe.Result, opts Options) *Report {
	opts = opts.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, opts.Budget)
	defer cancel()
	if res == nil {
		res = &probe.Result{Endpoint: d.Endpoint()}
	}
	tg := &target{d: d, res: res, opts: opts, ep: d.Endpoint(), noRI: newHelloAnswer()}
	want := tg.want

	if !slices.ContainsFunc([]string{CheckHeartbleed, CheckHeartbeat, CheckCCS}, tg.want) {
		tg.noRI.settle(false, 0)
	}
	// Whatever happens, SessionResumption waits no longer than Check.
	defer opts.Session.offer(handshake.Config{}, nil)
	if !tg.want(CheckClientRenegotiation) && !tg.want(CheckInsecureRenegotiation) && !tg.want(CheckSecureRenegotiation) {
		opts.Session.offer(handshake.Config{}, nil)
	}
	var (
		mu       sync.Mutex
		findings = map[string]Finding{}
		wg       sync.WaitGroup
	)
	for _, g := range groups {
		if !slices.ContainsFunc(g.ids, want) {
			continue
		}
		wg.Go(func() {
			r := &run{target: tg}
			start := time.Now()
			fs := g.run(ctx, r)
			wall := float64(time.Since(start).Microseconds()) / 1000
			mu.Lock()
			defer mu.Unlock()
			for _, f := range fs {
				// Checks run together share their connections.
				f.Connections = int(r.conns.Load())
				f.WallMS = wall
				if f.Name == "" {
					f.Name = checkNames[f.Check]
				}
				if want(f.Check) {
					findings[f.Check] = f
				}
			}
		})
	}
	wg.Wait()

	rep := &Report{}
	for _, id := range Checks() {
		if f, ok := findings[id]; ok {
			rep.PadlockFindings = append(rep.PadlockFindings, f)
		}
	}
	rep.PadlockKeyFingerprint = keyFingerprints(res)
	rep.PadlockSSLv2 = supported(res, registry.SSLv2)
	rep.PadlockConnections = int(tg.used.Load())
	rep.fill()
	return rep
}

// target is the endpoint and what is known of it, shared by the checks.
type target struct {
	d    *probe.Dialer
	res  *probe.Result
	opts Options
	ep   probe.Endpoint
	used atomic.Int64 // connections opened by all checks
	// noRI is the answer to a hello without renegotiation_info or its
	// SCSV, when checkFirstFlight's hello was one.
	noRI *helloAnswer
}

// want reports whether check id is to be run.
func (t *target) want(id string) bool {
	return len(t.opts.Checks) == 0 || slices.Contains(t.opts.Checks, id)
}

// run is one check group's view of the target: it counts its own
// connections.
type run struct {
	*target
	conns atomic.Int64
}

var errConnBudget = errors.New("the checks' connection budget is spent")

// dial opens a connection through the prober's Dialer, within the cap.
func (r *run) dial(ctx context.Context) (*conn, error) {
	if r.used.Add(1) > int64(r.opts.MaxConnections) {
		r.used.Add(-1)
		return nil, errConnBudget
	}
	r.conns.Add(1)
	c, err := r.d.Dial(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c}, nil
}

// conn is a probe.Conn whose Close may be called more than once:
// probe.Conn.Close releases the Dialer's concurrency slot each time it is
// called, so a second call would take another connection's slot or block.
type conn struct {
	*probe.Conn
	once sync.Once
	err  error
}

func (c *conn) Close() error {
	c.once.Do(func() { c.err = c.Conn.Close() })
	return c.err
}

// host is the name for SNI and HTTP Host headers.
func (t *target) sni() string { return t.ep.SNI }

func (t *target) httpHost() string {
	switch {
	case t.opts.HTTPHost != "":
		return t.opts.HTTPHost
	case t.ep.SNI != "":
		return t.ep.SNI
	case t.ep.Host != "":
		return t.ep.Host
	}
	return t.ep.IP.String()
}

// finding starts a finding for a check.
func finding(check string, state State, reason string, args ...any) Finding {
	return Finding{Check: check, Name: checkNames[check], State: state, Reason: fmt.Sprintf(reason, args...)}
}

// inconclusive is a finding for a check that could not decide.
func inconclusive(check string, err error, what string) Finding {
	return finding(check, Inconclusive, "%s: %v", what, err)
}
