package vuln

import (
	"testing"
)

// Tests against the emulators of emulators_test.go: each vulnerable
// behaviour must read Vulnerable, its patched counterpart NotVulnerable,
// and the ambiguous ones Inconclusive.

func TestHeartbleedEmulated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		mode            heartbeatMode
		bleed, beat     want
		report, reportB bool
	}{
		{"vulnerable", hbVulnerable, vuln(SeverityExploitable), vuln(SeverityInfo), true, true},
		{"patched", hbPatched, nv, vuln(SeverityInfo), false, true},
		{"silent", hbSilent, ic, vuln(SeverityInfo), false, true},
		{"not negotiated", hbNotNegotiated, nv, nv, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, rep := scanAddr(t, heartbleedEmulator(t, tt.mode), scanOpts{checks: []string{CheckHeartbleed, CheckHeartbeat}})
			expect(t, rep, map[string]want{CheckHeartbleed: tt.bleed, CheckHeartbeat: tt.beat})
			if rep.Heartbleed != tt.report || rep.Heartbeat != tt.reportB {
				t.Errorf("heartbleed %v heartbeat %v", rep.Heartbleed, rep.Heartbeat)
			}
			if f, _ := rep.Finding(CheckHeartbleed); f.State == Vulnerable {
				for _, e := range f.Evidence {
					if len(e.Hex) > 2*MaxEvidenceBytes {
						t.Errorf("evidence not bounded: %d hex chars", len(e.Hex))
					}
				}
			}
		})
	}
}

func TestCCSEmulated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		mode  ccsMode
		want  want
		value int
	}{
		{"patched", ccsPatched, nv, 1},
		{"exploitable", ccsExploitable, vuln(SeverityExploitable), 3},
		{"not exploitable", ccsNotExploitable, vuln(SeverityNotExploitable), 2},
		{"bad_record_mac only", ccsBadMACOnly, ic, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, rep := scanAddr(t, ccsEmulator(t, tt.mode), scanOpts{checks: []string{CheckCCS}})
			expect(t, rep, map[string]want{CheckCCS: tt.want})
			if rep.OpenSSLCCS != tt.value {
				t.Errorf("openSslCcs %d, want %d", rep.OpenSSLCCS, tt.value)
			}
		})
	}
}

// TestFirstFlightShared runs Heartbleed, heartbeat and CCS injection
// together: each verdict must be the one it has alone, and a server that
// does not negotiate heartbeat costs the CCS probe no connection of its
// own.
func TestFirstFlightShared(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		addr              func(t *testing.T) string
		bleed, beat, ccs  want
		openSSLCCS, conns int
	}{
		{"ccs patched", func(t *testing.T) string { return ccsEmulator(t, ccsPatched) }, nv, nv, nv, 1, 1},
		{"ccs exploitable", func(t *testing.T) string { return ccsEmulator(t, ccsExploitable) }, nv, nv, vuln(SeverityExploitable), 3, 2},
		{"ccs not exploitable", func(t *testing.T) string { return ccsEmulator(t, ccsNotExploitable) }, nv, nv, vuln(SeverityNotExploitable), 2, 2},
		{"ccs bad_record_mac only", func(t *testing.T) string { return ccsEmulator(t, ccsBadMACOnly) }, nv, nv, ic, -1, 2},
		// The heartbleed emulators close on anything but heartbeat
		// records, an early ChangeCipherSpec included.
		{"heartbleed vulnerable", func(t *testing.T) string { return heartbleedEmulator(t, hbVulnerable) }, vuln(SeverityExploitable), vuln(SeverityInfo), nv, 1, 2},
		{"heartbeat patched", func(t *testing.T) string { return heartbleedEmulator(t, hbPatched) }, nv, vuln(SeverityInfo), nv, 1, 2},
		{"heartbeat not negotiated", func(t *testing.T) string { return heartbleedEmulator(t, hbNotNegotiated) }, nv, nv, nv, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, rep := scanAddr(t, tt.addr(t), scanOpts{checks: []string{CheckHeartbleed, CheckHeartbeat, CheckCCS}})
			expect(t, rep, map[string]want{CheckHeartbleed: tt.bleed, CheckHeartbeat: tt.beat, CheckCCS: tt.ccs})
			if rep.OpenSSLCCS != tt.openSSLCCS {
				t.Errorf("openSslCcs %d, want %d", rep.OpenSSLCCS, tt.openSSLCCS)
			}
			if rep.PadlockConnections != tt.conns {
				t.Errorf("%d connections, want %d", rep.PadlockConnections, tt.conns)
			}
		})
	}
}

func TestROBOTEmulated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		mode  robotMode
		want  want
		value int
	}{
		{"patched", robotPatched, nv, 1},
		{"strong oracle", robotStrong, want{state: Vulnerable, variant: VariantStrongOracle}, 3},
		{"weak oracle", robotWeak, want{state: Vulnerable, variant: VariantWeakOracle}, 2},
		{"inconsistent", robotInconsistent, inconclusiveVariant(VariantInconsistent), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, rep := scanAddr(t, robotEmulator(t, tt.mode), scanOpts{checks: []string{CheckROBOT}})
			expect(t, rep, map[string]want{CheckROBOT: tt.want})
			if rep.Bleichenbacher != tt.value {
				t.Errorf("bleichenbacher %d, want %d", rep.Bleichenbacher, tt.value)
			}
			if f, _ := rep.Finding(CheckROBOT); f.Connections > 20 {
				t.Errorf("%d connections", f.Connections)
			}
		})
	}
}

func TestTicketbleedEmulated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		mode  ticketMode
		want  want
		value int
	}{
		{"patched", ticketPatched, nv, 1},
		{"vulnerable", ticketVulnerable, vuln(SeverityExploitable), 2},
		{"similar bug", ticketSimilar, vulnVariant(VariantSimilarBug), 3},
		{"never resumes", ticketNoResume, ic, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, rep := scanAddr(t, ticketbleedEmulator(t, tt.mode), scanOpts{checks: []string{CheckTicketbleed}})
			expect(t, rep, map[string]want{CheckTicketbleed: tt.want})
			if rep.Ticketbleed != tt.value {
				t.Errorf("ticketbleed %d, want %d", rep.Ticketbleed, tt.value)
			}
		})
	}
}

var paddingChecks = []string{CheckPoodleTLS, CheckLuckyMinus20, CheckZombiePoodle, CheckGoldenDoodle, CheckZeroLength, CheckSleepingPoodle}

func TestPaddingOraclesEmulated(t *testing.T) {
	t.Parallel()
	all := func(w want) map[string]want {
		m := map[string]want{}
		for _, id := range paddingChecks {
			m[id] = w
		}
		return m
	}
	with := func(m map[string]want, id string, w want) map[string]want {
		m[id] = w
		return m
	}
	tests := []struct {
		name  string
		mode  padMode
		wants map[string]want
	}{
		{"patched", padPatched, all(nv)},
		{"POODLE TLS", padPoodleTLS, with(with(all(nv), CheckPoodleTLS, vuln(SeverityExploitable)), CheckZombiePoodle, vuln(SeverityExploitable))},
		{"Zombie POODLE", padZombie, with(all(nv), CheckZombiePoodle, vuln(SeverityExploitable))},
		{"Zombie POODLE, encrypted alert only", padZombieQuiet, with(all(nv), CheckZombiePoodle, vuln(SeverityNotExploitable))},
		{"GOLDENDOODLE", padGolden, with(all(nv), CheckGoldenDoodle, vuln(SeverityExploitable))},
		{"LuckyMinus20", padLuckyMinus20, with(all(nv), CheckLuckyMinus20, vuln(SeverityExploitable))},
		{"0-length", padZeroLength, with(all(nv), CheckZeroLength, vuln(SeverityExploitable))},
		{"Sleeping POODLE", padSleeping, with(all(nv), CheckSleepingPoodle, vuln(SeverityExploitable))},
		{"silent on POODLE records", padHangOnPoodle, with(with(all(nv), CheckPoodleTLS, inconclusiveVariant(VariantTimeout)), CheckZombiePoodle, vuln(SeverityExploitable))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, rep := scanAddr(t, paddingEmulator(t, tt.mode), scanOpts{checks: paddingChecks})
			expect(t, rep, tt.wants)
		})
	}
	t.Run("inconsistent", func(t *testing.T) {
		t.Parallel()
		_, rep := scanAddr(t, paddingEmulator(t, padInconsistent), scanOpts{checks: paddingChecks})
		expect(t, rep, all(inconclusiveVariant(VariantInconsistent)))
		if rep.GoldenDoodle != -1 || rep.ZombiePoodle != -1 || rep.PoodleTLS != -1 {
			t.Errorf("%+v", rep)
		}
	})
	t.Run("SSL Labs values", func(t *testing.T) {
		t.Parallel()
		_, rep := scanAddr(t, paddingEmulator(t, padGolden), scanOpts{checks: paddingChecks})
		if rep.GoldenDoodle != 5 || rep.ZombiePoodle != 1 || rep.PoodleTLS != 1 || rep.SleepingPoodle != 1 ||
			rep.ZeroLengthPaddingOracle != 1 || rep.OpenSSLLuckyMinus20 != 1 {
			t.Errorf("%+v", rep)
		}
		_, rep = scanAddr(t, paddingEmulator(t, padZombieQuiet), scanOpts{checks: paddingChecks})
		if rep.ZombiePoodle != 2 {
			t.Errorf("zombiePoodle %d, want 2", rep.ZombiePoodle)
		}
	})
}

func TestCompressionEmulated(t *testing.T) {
	t.Parallel()
	_, rep := scanAddr(t, flightEmulator(t, emuConfig{compress: true}), scanOpts{checks: []string{CheckCompression}})
	expect(t, rep, map[string]want{CheckCompression: vuln(SeverityExploitable)})
	if rep.CompressionMethods != 1 {
		t.Errorf("compressionMethods %d", rep.CompressionMethods)
	}
}

func TestDROWNEmulated(t *testing.T) {
	t.Parallel()
	_, rep := scanAddr(t, sslv2Emulator(t), scanOpts{checks: []string{CheckDROWN, CheckPoodle, CheckHeartbleed}})
	expect(t, rep, map[string]want{
		CheckDROWN:      vuln(SeverityExploitable),
		CheckPoodle:     na,
		CheckHeartbleed: na,
	})
	if !rep.DrownVulnerable || !rep.PadlockSSLv2 || rep.PadlockKeyFingerprint == "" {
		t.Errorf("drown %v sslv2 %v fingerprint %q", rep.DrownVulnerable, rep.PadlockSSLv2, rep.PadlockKeyFingerprint)
	}
}

func TestFallbackInconclusiveEmulated(t *testing.T) {
	t.Parallel()
	_, rep := scanAddr(t, flightEmulator(t, emuConfig{refuseSCSV: true}), scanOpts{checks: []string{CheckFallbackSCSV}})
	expect(t, rep, map[string]want{CheckFallbackSCSV: ic})
	if rep.FallbackSCSV != nil {
		t.Errorf("fallbackScsv %v, want absent", *rep.FallbackSCSV)
	}
}

func TestRenegotiationInconclusiveEmulated(t *testing.T) {
	t.Parallel()
	_, rep := scanAddr(t, renegotiationEmulator(t), scanOpts{checks: []string{CheckSecureRenegotiation, CheckClientRenegotiation, CheckInsecureRenegotiation}})
	expect(t, rep, map[string]want{
		CheckSecureRenegotiation:   nv,
		CheckClientRenegotiation:   ic,
		CheckInsecureRenegotiation: ic,
	})
}
