package vuln

// Zombie POODLE (Young, Black Hat Asia 2019): servers that reject bad
// padding but still let MAC validity show behind it — a record with a
// valid MAC and invalid padding is answered unlike one with an invalid MAC
// and the same padding — revive the POODLE attack on TLS. The probe
// (padding_oracle.go) compares exactly that pair; the difference seen
// only inside encrypted alerts is zombiePoodle 2, on the wire 3.
func judgeZombiePoodle(p *padResults, where string) Finding {
	return p.oracle(CheckZombiePoodle, padPoodle, padBadPad, "MAC validity is observable behind invalid padding", where)
}
