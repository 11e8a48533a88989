// Package bench measures padlock's prober against other TLS scanners and
// checks that they agree.
//
// It has no code of its own outside tests:
//
//   - bench/run (a bash script) starts loopback servers and runs padlock,
//     sslscan, nmap's ssl-enum-ciphers and testssl against each through
//     bench/tcpcount, a counting TCP proxy, and reports the connections
//     and wall time each tool needed (see README.md).
//   - compare_test.go runs probe.Run, nmap and sslscan against real servers
//     started with lab/peer and asserts that they find the same protocols,
//     the same cipher suites per protocol and, where nmap sees a server
//     preference, the same order.
//   - bench/padlockprobe prints probe.Run's findings for one endpoint,
//     without handshake simulation: the script's "padlock-enum" row, the
//     enumeration alone, next to the whole `padlock check`.
package bench
