// Package assess runs one target end to end and returns its Host: the
// versioned result model, shaped like the SSL Labs API v3 Host object, that
// every other part of padlock reads.
//
// # The model
//
// Host, Endpoint, EndpointDetails, Protocol, ProtocolSuites, Suite,
// NamedGroups, NamedGroup, CertChain and Cert (the last two are package
// pki's ChainReport and Cert) follow the objects of the SSL Labs API v3
// documentation (ssllabs-api-docs-v3.md): the same field names,
// JSON keys and value conventions (times in milliseconds since 1970, protocol
// ids as version numbers, bit masks with the same bits). Fields SSL Labs has
// that padlock does not fill yet are left out rather than sent empty, so a
// consumer never mistakes "not tested" for "no". Everything padlock adds has a
// JSON key starting with "padlock". docs/result-schema.md describes every
// field; Schema names the version of that contract.
//
// # Running an assessment
//
// ParseTarget reads "host", "host:port", "[v6]:port" or an https:// URL.
// Assess resolves every A and AAAA record of the host (or takes the pinned
// addresses), probes each address with package probe, a few at a time,
// converts each probe.Result, judges the certificate chains it holds with
// pki.Analyze (once per endpoint, with Options.PKI: extra roots, AIA
// fetching) and grades the endpoint with package grade, the certificate
// rules included; Host.AddCerts gathers the certificates of every analysis
// into Host.Certs. Assess always returns a Host: failures become Status
// "ERROR" with a StatusMessage, or an endpoint whose StatusMessage is not
// "Ready".
package assess
