package vuln

// GOLDENDOODLE (Young, Black Hat Asia 2019): a server that answers a record
// with valid padding and an invalid MAC unlike one with invalid padding
// (same length, same invalid MAC) reveals padding validity: a classic
// Vaudenay padding oracle, faster than POODLE. The probe
// (padding_oracle.go) compares that pair; goldenDoodle 4 when the
// difference is only inside encrypted alerts, 5 on the wire.
func judgeGoldenDoodle(p *padResults, where string) Finding {
	return p.oracle(CheckGoldenDoodle, padBadMAC, padBadPad, "padding validity is observable behind an invalid MAC", where)
}
