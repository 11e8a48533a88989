package web

import (
	"bytes"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Bounds of the HTML extractor, per page. The input is already bounded
// (Options.MaxBytes); these keep the output and the work per token small
// whatever the markup.
const (
	maxForms        = 100
	maxFields       = 200
	maxLabels       = 4000
	maxLinks        = 2000
	maxMixed        = 200
	maxIframes      = 20
	maxIDTexts      = 4096
	maxStack        = 512
	maxEndTagSearch = 64
	maxAttrs        = 64
	maxAttrLen      = 4096
	maxLabelText    = 300
	maxRecentText   = 200
	maxOpenLabels   = 4
	maxOpenIDTexts  = 16
)

// Field is one field of a form, with what padlock makes of it.
type Field struct {
	// Tag is "input", "select" or "textarea".
	Tag  string `json:"tag"`
	Type string `json:"type,omitempty"`
	Name string `json:"name,omitempty"`
	ID   string `json:"id,omitempty"`
	// Label is the best human-readable text for the field: its label,
	// aria-label, placeholder...
	Label string `json:"label,omitempty"`
	// Category is the personal data the field asks for (empty: none seen).
	Category Category `json:"category,omitempty"`
	// Reason is the evidence for Category, e.g. `input type=email`,
	// `autocomplete=tel`, `label "Your phone number"`, `name=postcode`.
	Reason string `json:"reason,omitempty"`
}

// FormKind says what a form is for.
type FormKind string

// Form kinds.
const (
	FormSearch       FormKind = "search"        // a search box: not personal data
	FormLookup       FormKind = "lookup"        // a lone postcode box ("find your local team")
	FormNewsletter   FormKind = "newsletter"    // an email address alone
	FormLogin        FormKind = "login"         // has a password field
	FormPersonalData FormKind = "personal-data" // asks for personal data
	FormOther        FormKind = "other"         // nothing personal recognised
)

// Form is one form found on a page.
type Form struct {
	// PageURL is the page the form is on.
	PageURL string `json:"pageUrl"`
	// FramedBy is the page that embeds PageURL in an iframe, if that is
	// how padlock found it.
	FramedBy string `json:"framedBy,omitempty"`
	// Index is the form's position on the page (0 is the first <form>; -1
	// for the NoFormElement pseudo-form).
	Index int    `json:"index"`
	ID    string `json:"id,omitempty"`
	Name  string `json:"name,omitempty"`
	// Action is the resolved URL the form submits to.
	Action string `json:"action"`
	// FormActions are other submission URLs, from buttons' formaction.
	FormActions []string `json:"formActions,omitempty"`
	// Method is "GET", "POST" or "DIALOG".
	Method string `json:"method"`
	// NoFormElement marks the fields found outside any <form> (submitted
	// by script, to an unknown URL), gathered as one pseudo-form.
	NoFormElement bool     `json:"noFormElement,omitempty"`
	Kind          FormKind `json:"kind"`
	Severity      Severity `json:"severity"`
	// PersonalData is true when the form asks for personal data (Severity
	// above none).
	PersonalData bool `json:"personalData"`
	// Categories are the personal-data categories asked for, in the order
	// first seen.
	Categories []Category `json:"categories,omitempty"`
	// Reason explains Kind when it is not personal-data.
	Reason string `json:"reason,omitempty"`
	// PageOverHTTP: the page was served over plain HTTP.
	PageOverHTTP bool `json:"pageOverHttp"`
	// ActionOverHTTP: the form (or a button's formaction) submits to an
	// http:// URL.
	ActionOverHTTP bool    `json:"actionOverHttp"`
	Fields         []Field `json:"fields"`
}

// Summary describes what the form collects, e.g. "name, phone number,
// address, incident details".
func (f *Form) Summary() string {
	var parts []string
	for _, c := range f.Categories {
		parts = append(parts, c.Describe())
	}
	return strings.Join(parts, ", ")
}

// pageLink is an <a href> or <area href> on a page.
type pageLink struct {
	url  *url.URL
	text string
}

// mixedRef is a subresource or form action of a page, by URL.
type mixedRef struct {
	kind string // script, stylesheet, iframe, form-action, image, media, object
	url  string
}

// document is what padlock keeps of one HTML page.
type document struct {
	title       string
	forms       []Form
	links       []pageLink
	iframes     []*url.URL
	refs        []mixedRef // http:// subresources and form actions
	metaRefresh *url.URL
}

// ExtractForms parses an HTML page (any bytes: invalid UTF-8, broken or
// hostile markup) and returns its forms with their fields classified.
// pageURL resolves relative actions and tells whether the page was served
// over plain HTTP.
func ExtractForms(pageURL string, body []byte) []Form {
	u, err := url.Parse(pageURL)
	if err != nil {
		u = &url.URL{}
	}
	return parseDocument(u, body).forms
}

type attr struct{ key, val string }

type attrs []attr

func (a attrs) get(k string) string {
	for _, x := range a {
		if x.key == k {
			return x.val
		}
	}
	return ""
}

type labelState struct {
	forID string
	text  strings.Builder
}

type fieldsetState struct {
	legend strings.Builder
}

type idTextState struct {
	id   string
	text strings.Builder
}

type linkState struct {
	href string
	text strings.Builder
}

type fieldState struct {
	tag, typ string
	a        attrs
	wrap     *labelState    // the label the field is inside
	fieldset *fieldsetState // the innermost fieldset around it
	nearby   string         // page text since the previous field
	formAttr string         // its form= attribute
}

type formState struct {
	index         int
	a             attrs
	searchAnc     bool // inside an element with role=search
	fields        []*fieldState
	submitText    strings.Builder
	formActions   []string
	noFormElement bool
}

type openElem struct {
	tag      string
	label    *labelState
	fieldset *fieldsetState
	legend   bool
	idText   *idTextState
	link     *linkState
	search   bool
	button   bool
	sel      bool
}

type extractor struct {
	page, base *url.URL
	doc        *document

	stack    []openElem
	overflow int
	forms    []*formState
	cur      *formState
	orphans  *formState
	// ignoredForm: inside a form beyond maxForms.
	ignoredForm bool
	formByID    map[string]*formState
	pending     []*fieldState // fields with a form= attribute
	labelFor    map[string]string
	nLabels     int
	openLabels  []*labelState
	fieldsets   []*fieldsetState
	legendOpen  int
	idTexts     map[string]string
	openIDs     []*idTextState
	link        *linkState
	rawTag      string // the raw-text element being read (script, style, title...)
	inSelect    int
	inButton    int
	recent      []byte
	title       strings.Builder
}

// parseDocument walks the page with x/net/html's tokenizer (not the tree
// builder: no recursion, linear time, nothing kept but what is needed).
func parseDocument(page *url.URL, body []byte) *document {
	e := &extractor{
		page:     page,
		base:     page,
		doc:      &document{},
		formByID: map[string]*formState{},
		labelFor: map[string]string{},
		idTexts:  map[string]string{},
	}
	z := html.NewTokenizer(bytes.NewReader(toUTF8(body)))
	z.SetMaxBuf(len(body) + 4096)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			e.finish()
			return e.doc
		case html.TextToken:
			e.text(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			e.start(string(name), readAttrs(z, hasAttr), tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			name, _ := z.TagName()
			e.end(string(name))
		}
	}
}

// toUTF8 returns body as valid UTF-8: valid sequences are kept and every
// other byte is read as Latin-1 (old pages in windows-1252 or ISO-8859-1).
func toUTF8(body []byte) []byte {
	if utf8.Valid(body) {
		return body
	}
	out := make([]byte, 0, len(body)+len(body)/8)
	for len(body) > 0 {
		r, n := utf8.DecodeRune(body)
		if r == utf8.RuneError && n <= 1 {
			out = utf8.AppendRune(out, rune(body[0]))
			body = body[1:]
			continue
		}
		out = append(out, body[:n]...)
		body = body[n:]
	}
	return out
}

func readAttrs(z *html.Tokenizer, more bool) attrs {
	var a attrs
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		if len(a) >= maxAttrs {
			continue
		}
		if len(v) > maxAttrLen {
			v = v[:maxAttrLen]
		}
		a = append(a, attr{string(k), string(v)})
	}
	return a
}

var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true,
	"param": true, "keygen": true, "frame": true,
}

// rawTextElements are those whose content the tokenizer reads as raw text,
// up to their end tag: none of it is page text (but a title's is the
// title).
var rawTextElements = map[string]bool{
	"script": true, "style": true, "noscript": true, "iframe": true, "noembed": true,
	"noframes": true, "xmp": true, "textarea": true, "plaintext": true, "title": true,
}

func (e *extractor) resolve(ref string) (*url.URL, bool) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, false
	}
	u, err := e.base.Parse(ref)
	if err != nil {
		return nil, false
	}
	return u, true
}

func (e *extractor) addRef(kind, ref string) {
	u, ok := e.resolve(ref)
	if !ok || !strings.EqualFold(u.Scheme, "http") || len(e.doc.refs) >= maxMixed {
		return
	}
	e.doc.refs = append(e.doc.refs, mixedRef{kind: kind, url: u.String()})
}

func (e *extractor) inSearchRole() bool {
	for i := len(e.stack) - 1; i >= 0; i-- {
		if e.stack[i].search {
			return true
		}
	}
	return false
}

func (e *extractor) start(tag string, a attrs, selfClosing bool) {
	el := openElem{tag: tag}
	if strings.EqualFold(strings.TrimSpace(a.get("role")), "search") {
		el.search = true
	}
	if id := a.get("id"); id != "" && len(e.openIDs) < maxOpenIDTexts && len(e.idTexts) < maxIDTexts {
		el.idText = &idTextState{id: id}
		e.openIDs = append(e.openIDs, el.idText)
	}
	switch tag {
	case "base":
		if u, ok := e.resolve(a.get("href")); ok && e.base == e.page {
			e.base = u
		}
	case "meta":
		if strings.EqualFold(strings.TrimSpace(a.get("http-equiv")), "refresh") && e.doc.metaRefresh == nil {
			if u, ok := e.resolve(refreshURL(a.get("content"))); ok {
				e.doc.metaRefresh = u
			}
		}
	case "form":
		if e.cur == nil && len(e.forms) >= maxForms {
			e.ignoredForm = true
		}
		if e.cur == nil && len(e.forms) < maxForms {
			f := &formState{index: len(e.forms), a: a, searchAnc: el.search || e.inSearchRole()}
			e.forms = append(e.forms, f)
			e.cur = f
			if id := a.get("id"); id != "" {
				if _, dup := e.formByID[id]; !dup {
					e.formByID[id] = f
				}
			}
			e.recent = e.recent[:0]
			e.addRef("form-action", a.get("action"))
		}
	case "input":
		typ := strings.ToLower(strings.TrimSpace(a.get("type")))
		switch typ {
		case "hidden":
		case "submit", "image", "button", "reset":
			if f := e.owner(a); f != nil {
				appendCapped(&f.submitText, a.get("value")+" "+a.get("alt"), 100)
				if typ != "reset" && typ != "button" {
					e.addFormAction(f, a.get("formaction"))
				}
			}
		default:
			if typ == "" {
				typ = "text"
			}
			e.field("input", typ, a)
		}
	case "select":
		e.field("select", "", a)
		el.sel = true
	case "textarea":
		e.field("textarea", "", a)
	case "button":
		el.button = true
		if f := e.owner(a); f != nil {
			t := strings.ToLower(a.get("type"))
			if t == "" || t == "submit" {
				e.addFormAction(f, a.get("formaction"))
			}
		}
	case "label":
		if e.nLabels < maxLabels && len(e.openLabels) < maxOpenLabels {
			l := &labelState{forID: a.get("for")}
			e.nLabels++
			el.label = l
			e.openLabels = append(e.openLabels, l)
		}
	case "fieldset":
		fs := &fieldsetState{}
		el.fieldset = fs
		e.fieldsets = append(e.fieldsets, fs)
	case "legend":
		el.legend = true
	case "a", "area":
		if href := a.get("href"); href != "" && len(e.doc.links) < maxLinks {
			l := &linkState{href: href}
			appendCapped(&l.text, a.get("aria-label")+" "+a.get("title"), maxLabelText)
			if tag == "a" {
				el.link = l
				e.link = l
			} else {
				e.addLink(l)
			}
		}
	case "img":
		if e.link != nil {
			appendCapped(&e.link.text, a.get("alt"), maxLabelText)
		}
		e.addRef("image", a.get("src"))
	case "iframe", "frame":
		if u, ok := e.resolve(a.get("src")); ok && len(e.doc.iframes) < maxIframes {
			e.doc.iframes = append(e.doc.iframes, u)
		}
		e.addRef("iframe", a.get("src"))
	case "script":
		e.addRef("script", a.get("src"))
	case "link":
		rel := " " + strings.ToLower(a.get("rel")) + " "
		if strings.Contains(rel, " stylesheet ") {
			e.addRef("stylesheet", a.get("href"))
		}
	case "object":
		e.addRef("object", a.get("data"))
	case "embed":
		e.addRef("object", a.get("src"))
	case "audio", "video", "source", "track":
		e.addRef("media", a.get("src"))
	}
	if rawTextElements[tag] && !selfClosing {
		// The tokenizer's next tokens are the raw text and this end tag.
		e.rawTag = tag
	}
	if selfClosing || voidElements[tag] {
		e.closeElem(el)
		return
	}
	if len(e.stack) >= maxStack {
		// Too deep to track: forget the element's context, keep going.
		e.overflow++
		e.closeElem(el)
		return
	}
	if el.legend {
		e.legendOpen++
	}
	if el.sel {
		e.inSelect++
	}
	if el.button {
		e.inButton++
	}
	e.stack = append(e.stack, el)
}

// closeElem ends an element's bookkeeping (at its end tag, or at once for
// void and self-closed ones).
func (e *extractor) closeElem(el openElem) {
	if el.label != nil {
		if el.label.forID != "" {
			if old, ok := e.labelFor[el.label.forID]; ok {
				e.labelFor[el.label.forID] = clip(old+" "+el.label.text.String(), maxLabelText)
			} else {
				e.labelFor[el.label.forID] = el.label.text.String()
			}
		}
		e.openLabels = removeLabel(e.openLabels, el.label)
	}
	if el.fieldset != nil && len(e.fieldsets) > 0 && e.fieldsets[len(e.fieldsets)-1] == el.fieldset {
		e.fieldsets = e.fieldsets[:len(e.fieldsets)-1]
	}
	if el.idText != nil {
		if _, ok := e.idTexts[el.idText.id]; !ok && len(e.idTexts) < maxIDTexts {
			e.idTexts[el.idText.id] = el.idText.text.String()
		}
		for i := len(e.openIDs) - 1; i >= 0; i-- {
			if e.openIDs[i] == el.idText {
				e.openIDs = append(e.openIDs[:i], e.openIDs[i+1:]...)
				break
			}
		}
	}
	if el.link != nil {
		e.addLink(el.link)
		if e.link == el.link {
			e.link = nil
		}
	}
}

func removeLabel(ls []*labelState, l *labelState) []*labelState {
	for i := len(ls) - 1; i >= 0; i-- {
		if ls[i] == l {
			return append(ls[:i], ls[i+1:]...)
		}
	}
	return ls
}

func (e *extractor) end(tag string) {
	if e.rawTag == tag {
		e.rawTag = ""
	}
	if tag == "form" {
		e.cur = nil
		e.ignoredForm = false
	}
	if e.overflow > 0 {
		// An end tag of an untracked element, probably.
		e.overflow--
		return
	}
	low := len(e.stack) - maxEndTagSearch
	if low < 0 {
		low = 0
	}
	for i := len(e.stack) - 1; i >= low; i-- {
		if e.stack[i].tag != tag {
			continue
		}
		for j := len(e.stack) - 1; j >= i; j-- {
			el := e.stack[j]
			if el.legend {
				e.legendOpen--
			}
			if el.sel {
				e.inSelect--
			}
			if el.button {
				e.inButton--
			}
			e.closeElem(el)
		}
		e.stack = e.stack[:i]
		return
	}
}

// text handles a run of page text.
func (e *extractor) text(raw []byte) {
	switch e.rawTag {
	case "":
	case "title":
		appendCapped(&e.title, strings.Join(strings.Fields(string(raw)), " "), maxLabelText)
		return
	default:
		return
	}
	t := strings.Join(strings.Fields(string(raw)), " ")
	if t == "" {
		return
	}
	for _, l := range e.openLabels {
		appendCapped(&l.text, t, maxLabelText)
	}
	if e.legendOpen > 0 && len(e.fieldsets) > 0 {
		appendCapped(&e.fieldsets[len(e.fieldsets)-1].legend, t, maxLabelText)
	}
	for _, it := range e.openIDs {
		appendCapped(&it.text, t, maxLabelText)
	}
	if e.link != nil {
		appendCapped(&e.link.text, t, maxLabelText)
	}
	if e.inButton > 0 {
		if e.cur != nil {
			appendCapped(&e.cur.submitText, t, 100)
		}
		return
	}
	if e.inSelect > 0 {
		return
	}
	e.recent = append(e.recent, ' ')
	e.recent = append(e.recent, t...)
	if len(e.recent) > 2*maxRecentText {
		cut := len(e.recent) - maxRecentText
		for cut < len(e.recent) && e.recent[cut]&0xc0 == 0x80 {
			cut++
		}
		e.recent = append(e.recent[:0], e.recent[cut:]...)
	}
}

func appendCapped(b *strings.Builder, s string, max int) {
	s = strings.TrimSpace(s)
	if s == "" || b.Len() >= max {
		return
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	room := max - b.Len()
	if len(s) > room {
		s = clip(s, room)
	}
	b.WriteString(s)
}

// owner returns the form an element belongs to right now (its form=
// attribute is resolved only for fields, at the end).
func (e *extractor) owner(a attrs) *formState {
	if id := a.get("form"); id != "" {
		return e.formByID[id]
	}
	return e.cur
}

func (e *extractor) addFormAction(f *formState, ref string) {
	if u, ok := e.resolve(ref); ok && len(f.formActions) < 8 {
		f.formActions = append(f.formActions, u.String())
		e.addRef("form-action", ref)
	}
}

func (e *extractor) addLink(l *linkState) {
	if len(e.doc.links) >= maxLinks {
		return
	}
	u, ok := e.resolve(l.href)
	if !ok {
		return
	}
	e.doc.links = append(e.doc.links, pageLink{url: u, text: l.text.String()})
}

func (e *extractor) field(tag, typ string, a attrs) {
	fs := &fieldState{tag: tag, typ: typ, a: a, formAttr: a.get("form")}
	if len(e.openLabels) > 0 {
		fs.wrap = e.openLabels[len(e.openLabels)-1]
	}
	if len(e.fieldsets) > 0 {
		fs.fieldset = e.fieldsets[len(e.fieldsets)-1]
	}
	fs.nearby = strings.TrimSpace(string(e.recent))
	e.recent = e.recent[:0]
	if fs.formAttr != "" {
		if len(e.pending) < maxFields*4 {
			e.pending = append(e.pending, fs)
		}
		return
	}
	f := e.cur
	if f == nil && e.ignoredForm {
		return // in a form beyond maxForms
	}
	if f == nil {
		if e.orphans == nil {
			e.orphans = &formState{index: -1, noFormElement: true, searchAnc: e.inSearchRole()}
		}
		f = e.orphans
	}
	if len(f.fields) < maxFields {
		f.fields = append(f.fields, fs)
	}
}

// refreshURL extracts the URL of a meta refresh ("5; url=/next").
func refreshURL(content string) string {
	i := strings.IndexByte(content, ';')
	if i < 0 {
		i = strings.IndexByte(content, ',')
	}
	if i < 0 {
		return ""
	}
	rest := strings.TrimSpace(content[i+1:])
	if len(rest) >= 3 && strings.EqualFold(rest[:3], "url") {
		rest = strings.TrimSpace(rest[3:])
		if strings.HasPrefix(rest, "=") {
			rest = strings.TrimSpace(rest[1:])
		}
	}
	return strings.Trim(rest, `'"`)
}

// finish resolves labels and form owners and builds the forms.
func (e *extractor) finish() {
	// Close whatever is still open, so labels and links count.
	for i := len(e.stack) - 1; i >= 0; i-- {
		e.closeElem(e.stack[i])
	}
	e.stack = nil
	for _, fs := range e.pending {
		if f := e.formByID[fs.formAttr]; f != nil && len(f.fields) < maxFields {
			f.fields = append(f.fields, fs)
		}
	}
	e.doc.title = e.title.String()
	all := e.forms
	if e.orphans != nil {
		all = append(all, e.orphans)
	}
	for _, f := range all {
		form := e.buildForm(f)
		if f.noFormElement && len(form.Fields) == 0 {
			continue
		}
		e.doc.forms = append(e.doc.forms, form)
	}
}
