// Package report turns stored scans into what gets published: fleet
// aggregates, bands, changes since the last scan, and renderers for HTML,
// CSV, JSON and Markdown.
//
// # Building
//
// Build reads one scan from a store.Store (0: the latest finished scan)
// into a Fleet: every site with its verdict and parsed assessment, the
// Headline figures, the five Bands of the 2016 study the report is
// modelled on, the Changes since the previous finished scan (package
// change's, so `padlock diff` and the report agree) and the Trend of the
// bands over every stored finished scan. Inconclusive sites (no grade:
// docs/grading.md decision 1) are listed apart in Fleet.Inconclusive and are
// never counted in a grade, a band or a percentage.
//
// Bands, best first (BandOf maps a grade to its band's ID):
//
//	highest                            A+, A
//	room-for-improvement               A-
//	significant-room-for-improvement   B, C, D, E
//	significant-vulnerabilities        F, T, M
//	no-secure-connection               U
//
// D and E, which the study never saw, sit with B and C: they come from the
// numeric score of a weak but working configuration. T (untrusted
// certificate) and M (certificate for another name) sit with F: browsers
// stop visitors with a warning that an attacker in the middle could
// produce as well, so such a connection protects no better than an F one;
// yet a handshake completes, so they are not U. This follows package grade's
// order, F > T > M > U.
//
// Denominators: grade and band percentages, and NoSecure, are of
// Headline.Graded; NoSecureTakingPersonalData is of NoSecure (as the
// study gave it); SecureByDefault is of SecureByDefaultKnown; Improved and
// Deteriorated are of Compared (sites graded in both scans).
//
// # Rendering HTML
//
// WriteSite writes a self-contained static site: index.html (headline,
// charts, league table by band with a group filter and sortable columns,
// inconclusive sites, changes), sites/<key>.html per site (grade and
// category scores, every finding with evidence and nginx/Apache remedy,
// protocols, suites, groups, certificate chains, vulnerability tests,
// handshake simulation, the plain-HTTP side with its forms, grade
// history), methodology.html, assets/ and the three exports. Nothing is
// fetched from anywhere else; charts are inline SVG drawn here, each with a
// title, a description and a data table.
//
// A server renders the same pages from a Fleet it builds:
//
//	f, err := report.Build(ctx, st, id)
//	opts := report.PageOptions{BaseURL: "/", Live: true}
//	report.RenderIndex(w, f, opts)          // GET {base}  and {base}index.html
//	report.RenderSite(w, f, key, opts)      // GET {base}sites/{key}.html; errors.Is(err, report.ErrNoSite) → 404
//	report.RenderMethodology(w, opts)       // GET {base}methodology.html
//	http.FileServerFS(report.Assets())      // GET {base}assets/… (style.css, report.js)
//	report.WriteCSV / WriteJSON / WriteMarkdown  // GET {base}report.csv, report.json, report.md
//
// Pages link with the paths IndexPath, SitePath(key), MethodologyPath,
// AssetsDir, CSVPath, JSONPath and MarkdownPath under BaseURL. They carry
// no inline script, no style attribute and no external reference, so a
// policy of "default-src 'none'; script-src 'self'; style-src 'self';
// img-src 'self'" holds. Every string from a scanned site (titles, form
// labels, URLs, certificate names, errors) goes through html/template's
// contextual escaping; a site's URLs are links only when they are http or
// https, with rel="nofollow noopener noreferrer", and pages send no
// referrer.
//
// # Exports
//
// WriteCSV writes one row per site, in league order, with the fixed
// columns CSVColumns:
//
//	organisation        the targets file's organisation
//	url                 the target's URL as given
//	grade               A+ … F, T, M, U without `*`; empty when inconclusive
//	band                a band ID (above), or "inconclusive"
//	personal_data       "yes" when the site takes personal data over plain text (`*`), else "no"
//	secure_by_default   "yes", "no", or empty when it could not be told
//	hsts                HSTS policy status: present, absent, invalid, disabled, unknown; empty if not checked
//	protocols           supported protocols, oldest first, separated by "; "
//	key_findings        findings that cost the site something, worst first, separated by "; "
//	change              improved, deteriorated, unchanged, new, inconclusive; empty without a previous scan
//
// Cells a spreadsheet would take for a formula are prefixed with "'".
// WriteJSON writes a document of schema "padlock.report/1" (JSONSchema)
// holding the figures, bands, changes, trend and every site with its
// stored result as stored. WriteMarkdown writes a summary for a briefing
// paper. docs/exports.md describes all three.
package report
