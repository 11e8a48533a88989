package fleet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"padlock/assess"
)

// Limits of a targets file (ParseOptions' zero values).
const (
	DefaultMaxFileBytes = 16 << 20 // 16 MiB
	DefaultMaxRows      = 100_000
	// MaxFieldBytes bounds one field of a CSV row.
	MaxFieldBytes = 8 << 10
	// MaxRowErrors bounds the row errors kept (the rest are counted).
	MaxRowErrors = 1000
)

// Target is one site of a fleet: a row of a targets file.
type Target struct {
	// Line is the line of the file the row starts on (1-based).
	Line int `json:"line"`
	// Organisation owns the site; a plain list uses the host.
	Organisation string `json:"organisation"`
	// URL is the site as written in the file (trimmed).
	URL   string   `json:"url"`
	Group string   `json:"group,omitempty"`
	Tags  []string `json:"tags,omitempty"`
	Notes string   `json:"notes,omitempty"`
	// Pin are addresses to use instead of resolving Host (the ip column,
	// --resolve), sorted, without duplicates.
	Pin []netip.Addr `json:"ip,omitempty"`

	// Host is the lower-case DNS name or IP literal of URL; Port the HTTPS
	// port assessed (443 unless the URL names another); HTTPPort the
	// plain-HTTP port the web check starts from (80 unless the URL is
	// http:// with a port).
	Host     string `json:"host"`
	Port     uint16 `json:"port"`
	HTTPPort uint16 `json:"httpPort"`
	// HTTP is the http column as written: the plain-HTTP URL when it is
	// not port 80 of Host ("" otherwise).
	HTTP string `json:"http,omitempty"`
}

// AssessTarget is what package assess takes for t.
func (t Target) AssessTarget() assess.Target {
	return assess.Target{Host: t.Host, Port: t.Port, HTTPPort: t.HTTPPort, Pin: slices.Clone(t.Pin)}
}

// EndpointKey identifies the TLS assessment t needs: targets with the same
// host, ports and pinned addresses share one assessment in a scan.
func (t Target) EndpointKey() string {
	var b strings.Builder
	b.WriteString(t.Host)
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(int(t.Port)))
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(int(t.HTTPPort)))
	for _, a := range t.Pin {
		b.WriteByte(' ')
		b.WriteString(a.String())
	}
	return b.String()
}

// RowError is a row of a targets file that cannot be used.
type RowError struct {
	Line int    // 1-based line the row starts on
	Msg  string // what is wrong
}

func (e RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// TargetFile is a parsed targets file: the good rows and what was wrong
// with the others.
type TargetFile struct {
	// Format is "csv" or "list".
	Format  string
	Targets []Target
	// Errors are the rows left out, in line order: the first
	// MaxRowErrors of them; MoreErrors counts the others.
	Errors     []RowError
	MoreErrors int
	// Warnings are harmless oddities (unknown columns...).
	Warnings []string
}

// ParseOptions bound and tune ParseTargets. Zero values pick the defaults.
type ParseOptions struct {
	// Strict refuses the whole file when any row is bad.
	Strict bool
	// MaxBytes bounds the file. Default DefaultMaxFileBytes.
	MaxBytes int64
	// MaxRows bounds the targets. Default DefaultMaxRows.
	MaxRows int
}

// LoadTargets reads a targets file; see ParseTargets.
func LoadTargets(path string, opts ParseOptions) (*TargetFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tf, err := ParseTargets(f, opts)
	if err != nil {
		return tf, fmt.Errorf("%s: %w", path, err)
	}
	return tf, nil
}

// ErrStrict is returned (wrapped) by ParseTargets in strict mode when a row
// is bad; the TargetFile is returned too, with every row error.
var ErrStrict = errors.New("bad rows in strict mode")

// ParseTargets reads a targets file: either CSV with a header naming at
// least the columns organisation (or organization) and url, and optionally
// group, tags (separated by ';'), notes and ip (addresses to pin, separated
// by ';' or spaces); or a plain list of hosts or URLs, one per line. In
// both, blank lines and lines starting with '#' are skipped; a UTF-8 byte
// order mark, CRLF line ends and quoted CSV fields are accepted.
//
// A url is https://host[:port][/path], http://host[:port][/path] (the site
// is then assessed on 443 and its web check starts from that port), or
// host[:port][/path].
//
// A row with a control character in any field (controlChar: NUL, escape,
// DEL, C1 controls...) is bad: it is refused, never stored or stripped.
//
// Bad rows are left out and listed in TargetFile.Errors with their line
// numbers; the file as a whole fails only when it cannot be read, is larger
// than MaxBytes, has more than MaxRows rows, has a CSV header without the
// required columns, or, with Strict, has any bad row.
func ParseTargets(r io.Reader, opts ParseOptions) (*TargetFile, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxFileBytes
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = DefaultMaxRows
	}
	data, err := io.ReadAll(io.LimitReader(r, opts.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > opts.MaxBytes {
		return nil, fmt.Errorf("targets file is larger than %d bytes", opts.MaxBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, errors.New("targets file is not UTF-8 text")
	}

	p := &parser{opts: opts, tf: &TargetFile{}, seen: map[string]int{}}
	if header, line := firstLine(data); isCSVHeader(header) {
		p.tf.Format = "csv"
		err = p.csv(data, line)
	} else {
		p.tf.Format = "list"
		err = p.list(data)
	}
	if err != nil {
		return p.tf, err
	}
	if opts.Strict && len(p.tf.Errors) > 0 {
		return p.tf, fmt.Errorf("%w: %s", ErrStrict, summarize(p.tf.Errors, p.tf.MoreErrors))
	}
	return p.tf, nil
}

// summarize lists the first few row errors.
func summarize(errs []RowError, more int) string {
	const show = 5
	var parts []string
	for i, e := range errs {
		if i == show {
			parts = append(parts, fmt.Sprintf("and %d more", len(errs)-show+more))
			break
		}
		parts = append(parts, e.Error())
	}
	return strings.Join(parts, "; ")
}

// firstLine returns the first line that is neither blank nor a comment,
// and its number.
func firstLine(data []byte) (string, int) {
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		return l, i + 1
	}
	return "", 0
}

// isCSVHeader: a first line with a comma is a CSV header (ParseTargets then
// insists on the required columns); a plain list has one field per line.
func isCSVHeader(line string) bool {
	return strings.Contains(line, ",")
}

type parser struct {
	opts ParseOptions
	tf   *TargetFile
	seen map[string]int // identity of a target → its line
}

// columns of a CSV targets file.
const (
	colOrganisation = "organisation"
	colURL          = "url"
	colGroup        = "group"
	colTags         = "tags"
	colNotes        = "notes"
	colIP           = "ip"
	colHTTP         = "http"
)

func (p *parser) csv(data []byte, headerLine int) error {
	cr := newCSVReader(data)
	var header []string
	for {
		rec, err := cr.Read()
		if err != nil {
			return fmt.Errorf("line %d: reading the CSV header: %v", headerLine, err)
		}
		if !blank(rec) {
			header = rec
			break
		}
	}
	cols := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if name == "organization" {
			name = colOrganisation
		}
		switch name {
		case colOrganisation, colURL, colGroup, colTags, colNotes, colIP:
		case "":
			continue
		default:
			p.tf.Warnings = append(p.tf.Warnings, fmt.Sprintf("line %d: column %q is not used", headerLine, clip(h, 40)))
			continue
		}
		if _, dup := cols[name]; dup {
			return fmt.Errorf("line %d: column %q appears twice in the header", headerLine, name)
		}
		cols[name] = i
	}
	var missing []string
	for _, c := range []string{colOrganisation, colURL} {
		if _, ok := cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("line %d: the CSV header lacks the column(s) %s (want at least organisation,url; optional group, tags, notes, ip)",
			headerLine, strings.Join(missing, ", "))
	}

	offset := 0
	cur := lineCursor{data: data}
	var buf *bufio.Reader
	for {
		next, err := p.rows(cr, offset, header, cols)
		if err != nil || next == 0 {
			return err
		}
		rest, ok := cur.after(next)
		if !ok {
			return nil
		}
		if buf == nil {
			buf = bufio.NewReader(nil)
		}
		cr, offset = newCSVReaderBuf(rest, buf), next
	}
}

func newCSVReader(data []byte) *csv.Reader {
	return newCSVReaderBuf(data, nil)
}

// newCSVReaderBuf reads data through buf (reset onto it) when given: a
// restart then allocates no new buffer.
func newCSVReaderBuf(data []byte, buf *bufio.Reader) *csv.Reader {
	if buf == nil {
		buf = bufio.NewReader(bytes.NewReader(data))
	} else {
		buf.Reset(bytes.NewReader(data))
	}
	cr := csv.NewReader(buf)
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	return cr
}

// rows reads records after the header; cr reads the file from line
// offset+1 on. A bad record that spans several lines (a stray quote makes
// csv swallow the lines after it) is reported at its first line, and rows
// returns that line so that reading starts again on the line after it:
// the good rows that follow still count. It returns 0 at the end.
func (p *parser) rows(cr *csv.Reader, offset int, header []string, cols map[string]int) (restart int, err error) {
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return 0, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			start := offset + pe.StartLine
			p.rowError(start, "%v", pe.Err)
			if pe.Line > pe.StartLine {
				return start, nil
			}
			continue
		}
		if err != nil {
			return 0, err
		}
		first, _ := cr.FieldPos(0)
		last, _ := cr.FieldPos(len(rec) - 1)
		line := offset + first
		if blank(rec) {
			continue
		}
		if len(rec) > len(header) && !blank(rec[len(header):]) {
			p.rowError(line, "%d fields, but the header has %d (quote fields that contain commas)", len(rec), len(header))
			if last > first {
				return line, nil
			}
			continue
		}
		field := func(name string) string {
			i, ok := cols[name]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		before := len(p.tf.Errors) + p.tf.MoreErrors
		if err := p.add(line, field(colOrganisation), field(colURL), field(colGroup), field(colTags), field(colNotes), field(colIP), field(colHTTP)); err != nil {
			return 0, err
		}
		if len(p.tf.Errors)+p.tf.MoreErrors > before && last > first && strings.ContainsAny(field(colURL)+field(colOrganisation)+field(colIP), "\n\"") {
			// A quote opened in one row and closed in a later one.
			return line, nil
		}
	}
}

// lineCursor finds where lines start in data, moving forward only, so
// that restarting the CSV reader many times stays linear.
type lineCursor struct {
	data []byte
	line int // lines skipped so far: data[off:] starts line line+1
	off  int
}

// after returns data from the start of line n+1 (1-based n >= cursor's).
func (c *lineCursor) after(n int) ([]byte, bool) {
	for c.line < n {
		j := bytes.IndexByte(c.data[c.off:], '\n')
		if j < 0 {
			return nil, false
		}
		c.off += j + 1
		c.line++
	}
	return c.data[c.off:], true
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func (p *parser) list(data []byte) error {
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if c := strings.Index(l, " #"); c >= 0 {
			l = strings.TrimSpace(l[:c])
		}
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if err := p.add(i+1, "", l, "", "", "", "", ""); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) rowError(line int, format string, args ...any) {
	if len(p.tf.Errors) >= MaxRowErrors {
		p.tf.MoreErrors++
		return
	}
	p.tf.Errors = append(p.tf.Errors, RowError{Line: line, Msg: fmt.Sprintf(format, args...)})
}

// add validates one row and keeps it, or records why not. Its error is
// fatal (too many rows).
func (p *parser) add(line int, org, rawURL, group, tags, notes, ip, httpURL string) error {
	for i, v := range []string{org, rawURL, group, tags, notes, ip, httpURL} {
		name := []string{colOrganisation, colURL, colGroup, colTags, colNotes, colIP, colHTTP}[i]
		if len(v) > MaxFieldBytes {
			p.rowError(line, "%s is longer than %d bytes", name, MaxFieldBytes)
			return nil
		}
		if r, ok := controlChar(v); ok {
			p.rowError(line, "%s holds the control character %U: remove it (control characters are refused, not stored)", name, r)
			return nil
		}
	}
	if rawURL == "" {
		p.rowError(line, "url is empty")
		return nil
	}
	t, err := parseURL(rawURL)
	if err != nil {
		p.rowError(line, "url: %v", err)
		return nil
	}
	if err := t.setHTTP(httpURL); err != nil {
		p.rowError(line, "http: %v", err)
		return nil
	}
	t.Line = line
	t.Organisation = oneLine(org)
	if t.Organisation == "" {
		if p.tf.Format == "csv" {
			p.rowError(line, "organisation is empty")
			return nil
		}
		t.Organisation = t.Host
	}
	t.Group = oneLine(group)
	t.Notes = notes
	for _, tag := range strings.Split(tags, ";") {
		if tag = oneLine(tag); tag != "" && !slices.Contains(t.Tags, tag) {
			t.Tags = append(t.Tags, tag)
		}
	}
	pins, err := parsePins(ip)
	if err != nil {
		p.rowError(line, "ip: %v", err)
		return nil
	}
	t.Pin = pins
	if _, err := netip.ParseAddr(t.Host); err == nil && len(t.Pin) > 0 {
		p.rowError(line, "ip: the url is an address already; leave ip empty")
		return nil
	}

	id := t.Organisation + "\x00" + t.URL + "\x00" + t.EndpointKey()
	if first, dup := p.seen[id]; dup {
		p.rowError(line, "duplicate of line %d", first)
		return nil
	}
	if len(p.tf.Targets) >= p.opts.MaxRows {
		return fmt.Errorf("line %d: more than %d targets", line, p.opts.MaxRows)
	}
	p.seen[id] = line
	p.tf.Targets = append(p.tf.Targets, t)
	return nil
}

// controlChar returns the first control character in s, if any: C0
// controls but tab, line feed and carriage return (white space, folded
// where a field is one line), DEL and the C1 controls (U+0080-U+009F,
// which some terminals read as escape sequences). A row holding one is
// refused rather than stored and exported raw.
func controlChar(s string) (rune, bool) {
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
			return r, true
		}
	}
	return 0, false
}

// oneLine trims s and folds its line breaks and tabs into spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// parseURL reads the url column: https://, http:// or a bare host[:port][/path].
// setHTTP applies the http column: the plain-HTTP URL of the target's own
// host, when it is not port 80 (e.g. http://intranet.example:8080/).
func (t *Target) setHTTP(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || !strings.EqualFold(u.Scheme, "http") || u.Host == "" {
		return fmt.Errorf("want http://HOST[:PORT]/, got %q", clip(s, 60))
	}
	if !strings.EqualFold(strings.TrimSuffix(u.Hostname(), "."), t.Host) {
		return fmt.Errorf("%q is not on the url's host %s", clip(s, 60), t.Host)
	}
	t.HTTPPort = 80
	if p := u.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return fmt.Errorf("bad port %q in %q: want 1-65535", clip(p, 10), clip(s, 60))
		}
		t.HTTPPort = uint16(n)
	}
	t.HTTP = s
	return nil
}

func parseURL(s string) (Target, error) {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, " \t\r\n") {
		return Target{}, fmt.Errorf("%q contains white space", clip(s, 60))
	}
	t := Target{URL: s, HTTPPort: 80}
	in := s
	if i := strings.Index(s, "://"); i >= 0 && strings.EqualFold(s[:i], "http") {
		u, err := url.Parse(s)
		if err != nil {
			return Target{}, fmt.Errorf("bad URL %q: %v", clip(s, 60), err)
		}
		if p := u.Port(); p != "" {
			n, err := strconv.ParseUint(p, 10, 16)
			if err != nil || n == 0 {
				return Target{}, fmt.Errorf("bad port %q in %q: want 1-65535", clip(p, 10), clip(s, 60))
			}
			t.HTTPPort = uint16(n)
			u.Host = strings.TrimSuffix(u.Host, ":"+p)
		}
		u.Scheme = "https"
		in = u.String()
	}
	at, err := assess.ParseTarget(in)
	if err != nil {
		return Target{}, err
	}
	t.Host, t.Port = at.Host, at.Port
	if t.Port == 0 {
		t.Port = assess.DefaultPort
	}
	return t, nil
}

// parsePins reads addresses separated by ';', ',' or white space.
func parsePins(s string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == ' ' || r == '\t' }) {
		a, err := netip.ParseAddr(strings.Trim(f, "[]"))
		if err != nil {
			return nil, fmt.Errorf("%q is not an IP address", clip(f, 60))
		}
		if a.Zone() != "" {
			return nil, fmt.Errorf("%q: scoped IPv6 addresses are not supported", clip(f, 60))
		}
		out = append(out, a.Unmap())
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out), nil
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
