package pki

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"time"

	"padlock/registry"
)

// distrustedRoot is a root of a CA that browsers distrust by date
// (registry.Distrusts). Roots are recognised by the SHA-256 of their
// SubjectPublicKeyInfo; a chain whose root padlock does not hold (the
// embedded Mozilla store no longer carries Entrust's roots, and a server
// never has to send its root) is recognised by the root's name as its
// topmost certificate's issuer, which is weaker evidence and reported as
// such (Facts.CAByName).
//
// Every key below was computed from the root certificate itself and is
// checked by TestDistrustedRootsMatchStores: against the embedded Mozilla
// bundle for the roots it still holds (HiPKI, NetLock Arany), and against
// Debian's ca-certificates (the Mozilla store of 2025-04) for those Mozilla
// has since removed (Entrust, AffirmTrust, ePKI). Entrust Root
// Certification Authority - G4, which the announcements also name, is in
// neither; padlock does not hold its certificate, so it is left out rather
// than listed under a name that was not checked.
type distrustedRoot struct {
	ca      string
	subject string // as crypto/x509's Name.String() spells it
	spki    string // hex SHA-256 of the SubjectPublicKeyInfo; "" when not held
}

var distrustedRoots = []distrustedRoot{
	{registry.CAEntrust, "CN=Entrust Root Certification Authority,OU=www.entrust.net/CPS is incorporated by reference+OU=(c) 2006 Entrust\\, Inc.,O=Entrust\\, Inc.,C=US", "6dbfae00d37b9cd73f8fb47de65917af00e0dddf42dbceac20c17c0275ee2095"},
	{registry.CAEntrust, "CN=Entrust Root Certification Authority - EC1,OU=See www.entrust.net/legal-terms+OU=(c) 2012 Entrust\\, Inc. - for authorized use only,O=Entrust\\, Inc.,C=US", "fea2b7d645fba73d753c1ec9a7870c40e1f7b0c561e927b985bf711866e36f22"},
	{registry.CAEntrust, "CN=Entrust Root Certification Authority - G2,OU=See www.entrust.net/legal-terms+OU=(c) 2009 Entrust\\, Inc. - for authorized use only,O=Entrust\\, Inc.,C=US", "76ee8590374c715437bbca6bba6028eadde2dc6dbbb8c3f610e851f11d1ab7f5"},
	{registry.CAEntrust, "CN=Entrust.net Certification Authority (2048),OU=www.entrust.net/CPS_2048 incorp. by ref. (limits liab.)+OU=(c) 1999 Entrust.net Limited,O=Entrust.net", "1ea3c5e43ed66c2da2983a42a4a79b1e906786ce9f1b58621419a00463a87d38"},
	{registry.CAEntrust, "CN=AffirmTrust Commercial,O=AffirmTrust,C=US", "6c464b9a5b233a5e874da765c26f045010d2ddcff45794f0b4c7e4aafa501495"},
	{registry.CAEntrust, "CN=AffirmTrust Networking,O=AffirmTrust,C=US", "94072ad3f58f70f93098e5a5f6c04c96c710bd849d83184919ae90eb890ae400"},
	{registry.CAEntrust, "CN=AffirmTrust Premium,O=AffirmTrust,C=US", "c7f43b4cf5b71568294f822b53762605f6ddd15cadece739e9e2c3cba61e9d67"},
	{registry.CAEntrust, "CN=AffirmTrust Premium ECC,O=AffirmTrust,C=US", "3219b09114ff495a3eb6eb00c2efeab34002ae5f0a56c7679ea087a3fa037e4f"},
	{registry.CAChunghwa, "OU=ePKI Root Certification Authority,O=Chunghwa Telecom Co.\\, Ltd.,C=TW", "62554c17005543b237215f04268dcd2fd1c470240ad3c8660e25ae2c59630f55"},
	{registry.CAChunghwa, "CN=HiPKI Root CA - G1,O=Chunghwa Telecom Co.\\, Ltd.,C=TW", "79caaf5347e6e4a94c8e78a98496fc74020f809ede13f220fab6104c8ded329f"},
	{registry.CANetLock, "CN=NetLock Arany (Class Gold) Főtanúsítvány,OU=Tanúsítványkiadók (Certification Services),O=NetLock Kft.,L=Budapest,C=HU", "f48badd7df6a06690d0ae31373b12855f8dedb14517f362a313101cc98cc6b35"},
}

// caOfPath names the distrusted CA a validated path (leaf first, root
// last) leads to, and whether only the root's name told.
func caOfPath(path []*x509.Certificate) (ca string, byName bool) {
	if isLegacySymantec(path) {
		return registry.CASymantec, false
	}
	for _, c := range path {
		h := spkiHash(c)
		for _, r := range distrustedRoots {
			if r.spki != "" && r.spki == h {
				return r.ca, false
			}
		}
	}
	if len(path) > 0 {
		return caByName(path[len(path)-1].Subject.String())
	}
	return "", false
}

// caOfSent names the distrusted CA of a chain that did not validate, from
// the certificates sent and fetched: a key of the tables, else the name of
// the topmost certificate's issuer.
func caOfSent(certs []*x509.Certificate, top *x509.Certificate) (ca string, byName bool) {
	if isLegacySymantec(certs) {
		return registry.CASymantec, false
	}
	for _, c := range certs {
		h := spkiHash(c)
		for _, r := range distrustedRoots {
			if r.spki != "" && r.spki == h {
				return r.ca, false
			}
		}
	}
	if top != nil {
		return caByName(top.Issuer.String())
	}
	return "", false
}

func caByName(subject string) (string, bool) {
	for _, r := range distrustedRoots {
		if r.subject == subject {
			return r.ca, true
		}
	}
	return "", false
}

// identifyCA names the distrusted CA the chain leads to: the same one on
// every path that validates within the leaf's validity period (a path
// through another CA is a way out, so no CA is named), else what the
// certificates sent and fetched show.
func (w *chainWork) identifyCA() (ca string, byName bool) {
	if len(w.anyPaths) > 0 {
		for i, p := range w.anyPaths {
			c, b := caOfPath(p)
			if i > 0 && c != ca {
				return "", false
			}
			ca, byName = c, byName || b
		}
		return ca, byName
	}
	var all []*x509.Certificate
	for _, ci := range w.sent {
		if ci.x != nil {
			all = append(all, ci.x)
		}
	}
	for _, f := range w.fetched {
		all = append(all, f.x)
	}
	return caOfSent(all, w.top)
}

// earliestSCT is the earliest timestamp of the SCTs that parsed, or zero.
func earliestSCT(scts []SCT) time.Time {
	var t time.Time
	for _, s := range scts {
		if s.Error != "" || s.Timestamp <= 0 {
			continue
		}
		if st := time.UnixMilli(s.Timestamp); t.IsZero() || st.Before(t) {
			t = st
		}
	}
	return t
}

// StoredChainCA names the distrusted CA of a chain from a report stored
// before the CA was recorded (Facts.CA), so that re-grading an old result
// applies today's dated rules: the first trust path's certificates (leaf
// first, root last) when the chain validated, else the certificates sent.
// Certificates that do not parse are skipped.
func StoredChainCA(cr *ChainReport, cert func(id string) *Cert) (ca string, byName bool) {
	parse := func(ids []string) []*x509.Certificate {
		var out []*x509.Certificate
		for _, id := range ids {
			c := cert(id)
			if c == nil {
				continue
			}
			if x, err := parsePEMCert(c.Raw); err == nil {
				out = append(out, x)
			}
		}
		return out
	}
	if len(cr.TrustPaths) > 0 {
		if p := parse(cr.TrustPaths[0].CertIDs); len(p) > 0 {
			return caOfPath(p)
		}
	}
	sent := parse(cr.CertIDs)
	if len(sent) == 0 {
		return "", false
	}
	return caOfSent(sent, sent[len(sent)-1])
}

func parsePEMCert(s string) (*x509.Certificate, error) {
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return nil, errors.New("pki: no PEM certificate")
	}
	return x509.ParseCertificate(b.Bytes)
}
