package grade

// Remedies: one per rule, in the style of a generated server
// configuration: the directive to set, not an essay. Paths are
// placeholders. The cipher list is the six ECDHE AEAD suites of current
// "intermediate" TLS configurations; TLS 1.3 suites need no directive.

const (
	aeadCipherList = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" +
		"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" +
		"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

	nginxProtocols  = "ssl_protocols TLSv1.2 TLSv1.3;"
	apacheProtocols = "SSLProtocol -all +TLSv1.2 +TLSv1.3"

	nginxCiphers  = "ssl_ciphers " + aeadCipherList + ";\nssl_prefer_server_ciphers off;"
	apacheCiphers = "SSLCipherSuite " + aeadCipherList + "\nSSLHonorCipherOrder off"

	nginxCert  = "ssl_certificate /path/to/fullchain.pem;\nssl_certificate_key /path/to/privkey.pem;"
	apacheCert = "SSLCertificateFile /path/to/fullchain.pem\nSSLCertificateKeyFile /path/to/privkey.pem"

	nginxHSTS  = `add_header Strict-Transport-Security "max-age=63072000" always;`
	apacheHSTS = `Header always set Strict-Transport-Security "max-age=63072000"`
	iisHSTS    = `<hsts enabled="true" max-age="63072000" />  (IIS 10 version 1709+, in the site's <site> element)`

	schannel      = `HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL`
	iisCipherList = "Disable-TlsCipherSuite -Name <suite>   (PowerShell, once per suite to drop)"
	iisBinding    = "Bind the new certificate to the site's https binding (IIS Manager → Bindings, or netsh http update sslcert)"
)

func iisProtocolOff(name string) string {
	return schannel + `\Protocols\` + name + `\Server: Enabled=0 (DWORD)`
}

func iisCipherOff(names ...string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += "\n"
		}
		s += schannel + `\Ciphers\` + n + `: Enabled=0 (DWORD)`
	}
	return s
}

var remedies = map[RuleID]Remedy{
	RuleA1: {
		Summary: "Serve a certificate whose subjectAltName lists this host name (a certificate for the right server_name, or one that covers it).",
		Nginx:   "server_name example.com;\n" + nginxCert,
		Apache:  "ServerName example.com\n" + apacheCert,
		IIS:     "Bind a certificate for this name to the https binding (tick \"Require Server Name Indication\" when several names share the address)",
	},
	RuleA2: {
		Summary: "Use a certificate from a publicly trusted CA and send the leaf with its intermediates.",
		Nginx:   nginxCert,
		Apache:  apacheCert,
		IIS:     iisBinding,
	},
	RuleA3: {
		Summary: "Replace the self-signed certificate with one from a publicly trusted CA (for example through ACME).",
		Nginx:   nginxCert,
		Apache:  apacheCert,
		IIS:     iisBinding,
	},
	RuleA4: {
		Summary: "Renew the certificate, reload the server, and automate renewal.",
		Nginx:   nginxCert,
		Apache:  apacheCert,
		IIS:     iisBinding,
	},
	RuleA5: {
		Summary: "Check the server clock and serve a certificate that is already valid.",
		Nginx:   nginxCert,
		Apache:  apacheCert,
		IIS:     iisBinding,
	},
	RuleA6: {
		Summary: "Get a new certificate on a new key to replace the revoked one.",
		Nginx:   nginxCert,
		Apache:  apacheCert,
		IIS:     iisBinding,
	},
	RuleA7: {
		Summary: "Replace the certificate with one from a CA that browsers trust today.",
		Nginx:   nginxCert,
		Apache:  apacheCert,
		IIS:     iisBinding,
	},
	RuleA8: {
		Summary: "Have the certificate reissued with a SHA-256 signature.",
		Nginx:   nginxCert,
		Apache:  apacheCert,
		IIS:     iisBinding,
	},
	RuleA9: {
		Summary: "Have the certificate reissued with a SHA-256 signature.",
		Nginx:   nginxCert,
		Apache:  apacheCert,
		IIS:     iisBinding,
	},
	RuleA10: {
		Summary: "Generate a new key (ECDSA P-256, or RSA of 2048 bits or more: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256) and get a certificate for it.",
		Nginx:   nginxCert,
		Apache:  apacheCert,
		IIS:     iisBinding,
	},
	RuleA11: {
		Summary: "Generate a new key of at least 2048 bits RSA (or ECDSA P-256) and get a certificate for it.",
		Nginx:   nginxCert,
		Apache:  apacheCert,
		IIS:     iisBinding,
	},
	RuleA12: {
		Summary: "Generate a new RSA key with the usual public exponent 65537 and get a certificate for it.",
		Nginx:   nginxCert,
		Apache:  apacheCert,
		IIS:     iisBinding,
	},
	RuleA13: {
		Summary: "Send the intermediate certificates with the leaf: configure the full chain file, not the leaf alone.",
		Nginx:   "ssl_certificate /path/to/fullchain.pem;",
		Apache:  "SSLCertificateFile /path/to/fullchain.pem   (Apache before 2.4.8: SSLCertificateChainFile /path/to/chain.pem)",
		IIS:     "Import the intermediate CA certificates into the computer's \"Intermediate Certification Authorities\" store",
	},
	RuleA14: {
		Summary: "Send the leaf first and then each issuer in order; leave out the root and unrelated certificates.",
		Nginx:   "ssl_certificate /path/to/fullchain.pem;",
		Apache:  "SSLCertificateFile /path/to/fullchain.pem",
	},
	RuleA15: {
		Summary: "Replace the certificate and its key: this certificate is on a blocklist.",
		Nginx:   nginxCert,
		Apache:  apacheCert,
		IIS:     iisBinding,
	},
	RuleB1: {
		Summary: "Disable SSL 2.0; offer TLS 1.2 and TLS 1.3 only.",
		Nginx:   nginxProtocols,
		Apache:  apacheProtocols,
		IIS:     iisProtocolOff("SSL 2.0"),
	},
	RuleB2: {
		Summary: "Disable SSL 3.0; offer TLS 1.2 and TLS 1.3 only.",
		Nginx:   nginxProtocols,
		Apache:  apacheProtocols,
		IIS:     iisProtocolOff("SSL 3.0"),
	},
	RuleB3: {
		Summary: "Enable TLS 1.2 and TLS 1.3 (upgrade the TLS library if it lacks them) and disable SSL 3.0.",
		Nginx:   nginxProtocols,
		Apache:  apacheProtocols,
		IIS:     schannel + `\Protocols\TLS 1.2\Server: Enabled=1, DisabledByDefault=0 (DWORD)`,
	},
	RuleB4: {
		Summary: "Enable TLS 1.2 and TLS 1.3 (OpenSSL 1.1.1 or later has both).",
		Nginx:   nginxProtocols,
		Apache:  apacheProtocols,
		IIS:     schannel + `\Protocols\TLS 1.2\Server: Enabled=1, DisabledByDefault=0 (DWORD)`,
	},
	RuleB5: {
		Summary: "Disable TLS 1.0 and TLS 1.1.",
		Nginx:   nginxProtocols,
		Apache:  apacheProtocols,
		IIS:     iisProtocolOff("TLS 1.0") + "\n" + iisProtocolOff("TLS 1.1"),
	},
	RuleB6: {
		Summary: "Enable TLS 1.3 (nginx 1.13+ or Apache 2.4.37+, built with OpenSSL 1.1.1 or later).",
		Nginx:   nginxProtocols,
		Apache:  apacheProtocols,
		IIS:     "Windows Server 2022 or later: " + schannel + `\Protocols\TLS 1.3\Server: Enabled=1 (DWORD)`,
	},
	RuleB7: {
		Summary: "No grade effect since 2009r. A current TLS library honours TLS_FALLBACK_SCSV; offering only TLS 1.2 and 1.3 makes downgrades moot.",
		Nginx:   nginxProtocols,
		Apache:  apacheProtocols,
	},
	RuleB8: {
		Summary: "Upgrade the TLS library to one with RFC 5746 and refuse insecure (client-initiated) renegotiation; current nginx never renegotiates at the client's request.",
		Apache:  "SSLInsecureRenegotiation off",
		IIS:     schannel + `: AllowInsecureRenegoClients=0, AllowInsecureRenegoServers=0 (DWORD)`,
	},
	RuleB9: {
		Summary: "Upgrade the TLS library to one that supports secure renegotiation (RFC 5746; OpenSSL 0.9.8m or later).",
	},
	RuleB10: {
		Summary: "Disable TLS compression (OpenSSL 1.1.0 and later never compress; current nginx turns it off itself).",
		Apache:  "SSLCompression off",
	},
	RuleB11: {
		Summary: "No grade effect since 2009d; clients fixed BEAST long ago. Disabling TLS 1.0 removes it anyway.",
		Nginx:   nginxProtocols,
		Apache:  apacheProtocols,
	},
	RuleC1: {
		Summary: "Remove the anonymous (ADH/AECDH) suites from the cipher list.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
		IIS:     iisCipherList,
	},
	RuleC2: {
		Summary: "Remove the export suites from the cipher list.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
		IIS:     iisCipherOff("RC4 40/128", "RC2 40/128", "DES 56/56"),
	},
	RuleC3: {
		Summary: "Use DH parameters of at least 2048 bits (the RFC 7919 ffdhe2048 group), or drop the DHE suites.",
		Nginx:   "ssl_dhparam /path/to/ffdhe2048.pem;",
		Apache:  `SSLOpenSSLConfCmd DHParameters "/path/to/ffdhe2048.pem"`,
		IIS:     schannel + `\KeyExchangeAlgorithms\Diffie-Hellman: ServerMinKeyBitLength=0x800 (DWORD)`,
	},
	RuleC4: {
		Summary: "Use DH parameters of at least 2048 bits (the RFC 7919 ffdhe2048 group), or drop the DHE suites.",
		Nginx:   "ssl_dhparam /path/to/ffdhe2048.pem;",
		Apache:  `SSLOpenSSLConfCmd DHParameters "/path/to/ffdhe2048.pem"`,
		IIS:     schannel + `\KeyExchangeAlgorithms\Diffie-Hellman: ServerMinKeyBitLength=0x800 (DWORD)`,
	},
	RuleC5: {
		Summary: "Offer only strong key-exchange groups: X25519, P-256, P-384.",
		Nginx:   "ssl_ecdh_curve X25519:prime256v1:secp384r1;",
		Apache:  "SSLOpenSSLConfCmd Curves X25519:prime256v1:secp384r1",
		IIS:     "Disable-TlsEccCurve -Name <curve>   (PowerShell, once per weak curve)",
	},
	RuleC6: {
		Summary: "Offer ECDHE suites and let modern clients use them: a forward-secret cipher list.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
		IIS:     "Move the TLS_ECDHE_* suites to the top: gpedit → Network → SSL Configuration Settings → SSL Cipher Suite Order",
	},
	RuleD1: {
		Summary: "Remove the NULL (unencrypted) suites from the cipher list.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
		IIS:     iisCipherOff("NULL"),
	},
	RuleD2: {
		Summary: "Remove the DES, export and other sub-112-bit suites from the cipher list.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
		IIS:     iisCipherOff("DES 56/56", "RC2 40/128", "RC2 56/128", "RC4 40/128", "RC4 56/128", "RC4 64/128"),
	},
	RuleD3: {
		Summary: "Remove the RC4 suites from the cipher list.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
		IIS:     iisCipherOff("RC4 128/128", "RC4 64/128", "RC4 56/128", "RC4 40/128"),
	},
	RuleD4: {
		Summary: "Remove the RC4 suites from the cipher list.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
		IIS:     iisCipherOff("RC4 128/128", "RC4 64/128", "RC4 56/128", "RC4 40/128"),
	},
	RuleD5: {
		Summary: "Offer AES-GCM and ChaCha20-Poly1305 suites instead of RC4.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
		IIS:     iisCipherOff("RC4 128/128", "RC4 64/128", "RC4 56/128", "RC4 40/128"),
	},
	RuleD6: {
		Summary: "Remove 3DES (and other 64-bit block ciphers) from the cipher list, or at least stop choosing them for modern clients.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
		IIS:     iisCipherOff("Triple DES 168"),
	},
	RuleD7: {
		Summary: "Offer AEAD suites (AES-GCM, ChaCha20-Poly1305) and let modern clients use them.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
		IIS:     "Move the *_GCM_* suites to the top: gpedit → Network → SSL Configuration Settings → SSL Cipher Suite Order",
	},
	RuleE1: {
		Summary: "Upgrade OpenSSL (1.0.1g or later) and restart; then replace the key and certificate and revoke the old one, since the key may have leaked.",
	},
	RuleE2: {
		Summary: "Upgrade OpenSSL (0.9.8za, 1.0.0m, 1.0.1h or later) and restart.",
	},
	RuleE3: {
		Summary: "Disable SSL 3.0.",
		Nginx:   nginxProtocols,
		Apache:  apacheProtocols,
		IIS:     iisProtocolOff("SSL 3.0"),
	},
	RuleE4: {
		Summary: "Update the TLS terminator (load balancer firmware) so it checks CBC padding; an AEAD-only cipher list avoids CBC meanwhile.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
	},
	RuleE5: {
		Summary: "Disable SSL 2.0 on every server that uses this key or certificate (mail servers included), or stop sharing the key with them.",
		Nginx:   nginxProtocols,
		Apache:  apacheProtocols,
		IIS:     iisProtocolOff("SSL 2.0"),
	},
	RuleE6: {
		Summary: "Upgrade OpenSSL (1.0.1t, 1.0.2h or later) and restart; an AEAD-only cipher list avoids AES-CBC meanwhile.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
	},
	RuleE7: {
		Summary: "Update the F5 BIG-IP software, or disable Session Ticket in its client SSL profile.",
	},
	RuleE8: {
		Summary: "Patch the TLS stack and drop the RSA key-exchange suites (TLS_RSA_*): use an ECDHE-only cipher list.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
		IIS:     iisCipherList,
	},
	RuleE9: {
		Summary: "Update the TLS terminator (load balancer firmware); an AEAD-only cipher list avoids CBC meanwhile.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
	},
	RuleE10: {
		Summary: "Update the TLS terminator (load balancer firmware); an AEAD-only cipher list avoids CBC meanwhile.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
	},
	RuleE11: {
		Summary: "Upgrade OpenSSL (1.0.2r or later) and restart; an AEAD-only cipher list avoids CBC meanwhile.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
	},
	RuleE12: {
		Summary: "Update the TLS terminator (load balancer firmware); an AEAD-only cipher list avoids CBC meanwhile.",
		Nginx:   nginxCiphers,
		Apache:  apacheCiphers,
	},
	RuleF1: {
		Summary: "Send Strict-Transport-Security with max-age of at least 15552000 (180 days); two years is usual.",
		Nginx:   nginxHSTS,
		Apache:  apacheHSTS,
		IIS:     iisHSTS,
	},
	RuleF2: {
		Summary: "Send one well-formed Strict-Transport-Security header with a non-zero max-age.",
		Nginx:   nginxHSTS,
		Apache:  apacheHSTS,
		IIS:     iisHSTS,
	},
	RuleF3: {
		Summary: "Raise the HSTS max-age to at least 15552000 (180 days); two years is usual.",
		Nginx:   nginxHSTS,
		Apache:  apacheHSTS,
		IIS:     iisHSTS,
	},
	RuleF4: {
		Summary: "Send Strict-Transport-Security on HTTPS responses.",
		Nginx:   nginxHSTS,
		Apache:  apacheHSTS,
		IIS:     iisHSTS,
	},
	RuleF5: {
		Summary: "Remove the Public-Key-Pins header: browsers dropped HPKP and a broken pin set only risks locking users out.",
		Nginx:   "# delete the add_header Public-Key-Pins line",
		Apache:  "Header always unset Public-Key-Pins",
		IIS:     `<remove name="Public-Key-Pins" />  (in <httpProtocol><customHeaders>)`,
	},
	RuleG1: {
		Summary: "Not applicable to HTTPS.",
	},
	RuleLifetime: {
		Summary: "Nothing to change before renewal; renew with a certificate no longer than the CA/Browser Forum allows today (200 days from 2026-03-15, 100 from 2027-03-15, 47 from 2029-03-15), ideally automated (ACME).",
	},
	RuleExpiry: {
		Summary: "Renew the certificate before it expires, and automate renewal (ACME) so that it cannot lapse.",
	},
	RuleU: {
		Summary: "Serve the site over HTTPS on port 443 with a trusted certificate, and never redirect HTTPS back to plain HTTP.",
		Nginx:   "listen 443 ssl;\n" + nginxCert + "\n" + nginxProtocols,
		Apache:  "Listen 443\nSSLEngine on\n" + apacheCert + "\n" + apacheProtocols,
		IIS:     "Add an https binding on port 443 with the certificate (IIS Manager → Bindings)",
	},
	RuleScore: {
		Summary: "Fix the findings that lower the weakest category (named in the reason); each comes with its own remedy.",
	},
}

// RemedyFor returns the remedy of a rule (the zero Remedy for an unknown
// id).
func RemedyFor(id RuleID) Remedy { return remedies[id] }
