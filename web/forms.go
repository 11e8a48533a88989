package web

import (
	"fmt"
	"net/url"
	"strings"
)

// searchFieldNames are the names search boxes use for their one field.
var searchFieldNames = map[string]bool{
	"q": true, "s": true, "query": true, "search": true, "keys": true, "keyword": true,
	"keywords": true, "term": true, "terms": true, "searchterm": true, "search_term": true,
	"searchtext": true, "search_text": true, "search-term": true, "search_api_fulltext": true,
	"k": true, "text": true, "searchstring": true, "qt": true, "chwilio": true,
}

// textSource is one piece of text about a field, in order of trust.
type textSource struct {
	kind string // label, aria-label, placeholder, title, name, id, legend, nearby text
	text string
	// norm is the normalised text.
	norm string
}

// classifyField decides a field's category from what the markup says
// about it.
func (e *extractor) classifyField(fs *fieldState) Field {
	f := Field{Tag: fs.tag, Type: fs.typ, Name: fs.a.get("name"), ID: fs.a.get("id")}
	f.Name, f.ID = clip(f.Name, 120), clip(f.ID, 120)
	labelText := ""
	if id := fs.a.get("id"); id != "" {
		labelText = e.labelFor[id]
	}
	if labelText == "" && fs.wrap != nil {
		labelText = fs.wrap.text.String()
	}
	aria := strings.TrimSpace(fs.a.get("aria-label"))
	var labelledBy []string
	for _, id := range strings.Fields(fs.a.get("aria-labelledby")) {
		if t := e.idTexts[id]; t != "" {
			labelledBy = append(labelledBy, t)
		}
		if len(labelledBy) >= 4 {
			break
		}
	}
	placeholder := strings.TrimSpace(fs.a.get("placeholder"))
	title := strings.TrimSpace(fs.a.get("title"))
	legend := ""
	if fs.fieldset != nil {
		legend = fs.fieldset.legend.String()
	}
	for _, t := range []string{labelText, aria, strings.Join(labelledBy, " "), placeholder, title} {
		if strings.TrimSpace(t) != "" {
			f.Label = clip(strings.TrimSpace(t), 160)
			break
		}
	}

	// 1. What the type and autocomplete attributes say is authoritative.
	switch fs.typ {
	case "password":
		f.Category, f.Reason = CategoryCredentials, "input type=password"
		return f
	case "email":
		f.Category, f.Reason = CategoryEmail, "input type=email"
		return f
	case "tel":
		f.Category, f.Reason = CategoryPhone, "input type=tel"
		return f
	}
	if ac := fs.a.get("autocomplete"); ac != "" {
		if c, tok := autocompleteCategory(ac); c != CategoryNone {
			f.Category, f.Reason = c, "autocomplete="+tok
			return f
		}
	}

	// 2. Words: labels first, then attributes, then context.
	choice := fs.typ == "radio" || fs.typ == "checkbox"
	var sources []textSource
	add := func(kind, text string) {
		if strings.TrimSpace(text) != "" {
			sources = append(sources, textSource{kind: kind, text: text, norm: normalizeText(text)})
		}
	}
	if !choice {
		// A radio button's or checkbox's own label is an answer ("Email",
		// "Phone"), not what is asked.
		add("label", labelText)
		add("aria-label", aria)
		add("aria-labelledby", strings.Join(labelledBy, " "))
		add("placeholder", placeholder)
		add("title", title)
	}
	add("name", fs.a.get("name"))
	add("id", fs.a.get("id"))
	add("legend", legend)
	ownText := labelText != "" || aria != "" || placeholder != "" || title != "" || len(labelledBy) > 0
	if !ownText && !choice {
		add("nearby text", fs.nearby)
	}
	for _, s := range sources {
		allow := func(c Category) bool {
			switch c {
			case CategorySearch:
				return s.kind != "legend" && s.kind != "nearby text"
			case CategoryFreeText, CategoryIncident:
				// Context text ("Your details", "Report a crime") says what
				// a free-text box is about, not what a one-line input is.
				if s.kind == "legend" || s.kind == "nearby text" {
					return fs.tag == "textarea"
				}
			case CategoryDate:
				return fs.typ == "date" || fs.typ == "datetime-local" || s.kind != "nearby text"
			}
			return true
		}
		c, phrase := matchFieldRule(s.norm, allow)
		if c == CategoryNone {
			continue
		}
		f.Category = c
		switch s.kind {
		case "name", "id":
			f.Reason = fmt.Sprintf("%s=%s (%q)", s.kind, clip(s.text, 60), phrase)
		default:
			f.Reason = fmt.Sprintf("%s %q", s.kind, clip(strings.TrimSpace(s.text), 80))
		}
		return f
	}

	// 3. Fallbacks from the kind of control.
	switch {
	case fs.typ == "date" || fs.typ == "datetime-local":
		f.Category, f.Reason = CategoryDate, "input type="+fs.typ
	case fs.typ == "search":
		f.Category, f.Reason = CategorySearch, "input type=search"
	case fs.tag == "textarea":
		f.Category, f.Reason = CategoryFreeText, "textarea"
	case searchFieldNames[strings.ToLower(fs.a.get("name"))] && fs.tag == "input" && (fs.typ == "text" || fs.typ == ""):
		f.Category, f.Reason = CategorySearch, "name="+clip(fs.a.get("name"), 40)
	}
	return f
}

// buildForm classifies a form's fields and decides its kind and severity.
func (e *extractor) buildForm(fs *formState) Form {
	f := Form{
		PageURL:       e.page.String(),
		Index:         fs.index,
		ID:            clip(fs.a.get("id"), 120),
		Name:          clip(fs.a.get("name"), 120),
		NoFormElement: fs.noFormElement,
		PageOverHTTP:  strings.EqualFold(e.page.Scheme, "http"),
		FormActions:   fs.formActions,
	}
	if !fs.noFormElement {
		f.Action = e.page.String()
		if u, ok := e.resolve(fs.a.get("action")); ok {
			f.Action = u.String()
		}
		switch strings.ToLower(strings.TrimSpace(fs.a.get("method"))) {
		case "post":
			f.Method = "POST"
		case "dialog":
			f.Method = "DIALOG"
		default:
			f.Method = "GET"
		}
		f.ActionOverHTTP = isHTTPURL(f.Action)
		for _, a := range fs.formActions {
			if isHTTPURL(a) {
				f.ActionOverHTTP = true
			}
		}
	}
	// One entry per radio or checkbox group.
	seenGroup := map[string]bool{}
	strong := false
	textEntry := 0
	for _, fld := range fs.fields {
		if fld.typ == "radio" || fld.typ == "checkbox" {
			key := fld.typ + "\x00" + fld.a.get("name")
			if fld.a.get("name") != "" && seenGroup[key] {
				continue
			}
			seenGroup[key] = true
		}
		field := e.classifyField(fld)
		f.Fields = append(f.Fields, field)
		switch fld.typ {
		case "radio", "checkbox", "range", "color", "file":
		default:
			if fld.tag != "select" {
				textEntry++
			}
		}
		if strings.HasPrefix(field.Reason, "input type=") && field.Category.personal() ||
			strings.HasPrefix(field.Reason, "autocomplete=") && field.Category.personal() {
			strong = true
		}
	}
	if f.Fields == nil {
		f.Fields = []Field{}
	}
	cats := map[Category]bool{}
	for _, fld := range f.Fields {
		if fld.Category.personal() && !cats[fld.Category] {
			cats[fld.Category] = true
			f.Categories = append(f.Categories, fld.Category)
		}
	}

	// Search boxes are not personal data, whatever their one field is
	// called, unless a field is unmistakably personal.
	if reason := e.searchSignal(fs, &f); reason != "" && !strong && !cats[CategoryCredentials] && textEntry <= 3 {
		f.Kind, f.Severity, f.Reason = FormSearch, SeverityNone, reason
		f.Categories = nil
		return f
	}
	switch {
	case len(f.Categories) == 0:
		f.Kind, f.Severity = FormOther, SeverityNone
		if len(f.Fields) > 0 {
			f.Reason = "no field asks for personal data"
		}
	case cats[CategoryCredentials]:
		f.Kind, f.Severity = FormLogin, SeverityCritical
	case len(f.Categories) == 1 && cats[CategoryPostcode] && textEntry <= 1:
		f.Kind, f.Severity = FormLookup, SeverityNone
		f.Reason = "a lone postcode box (location lookup)"
		f.Categories = nil
	case len(f.Categories) == 1 && cats[CategoryEmail]:
		f.Kind, f.Severity = FormNewsletter, SeverityLow
		f.Reason = "an email address alone (newsletter or alert sign-up)"
	default:
		f.Kind = FormPersonalData
		f.Severity = SeverityLow
		for c := range cats {
			switch {
			case c.sensitive():
				f.Severity = SeverityHigh
			case c == CategoryFreeText || c == CategoryDate:
			default:
				if f.Severity.Rank() < SeverityMedium.Rank() {
					f.Severity = SeverityMedium
				}
			}
		}
	}
	f.PersonalData = f.Severity.Rank() > SeverityNone.Rank()
	return f
}

// searchSignal says why a form looks like a search box ("" if it does
// not).
func (e *extractor) searchSignal(fs *formState, f *Form) string {
	if fs.searchAnc || strings.EqualFold(strings.TrimSpace(fs.a.get("role")), "search") {
		return "role=search"
	}
	for _, k := range []string{"id", "name", "class", "aria-label"} {
		if _, ok := firstPhrase(normalizeText(fs.a.get(k)), searchWords); ok {
			return fmt.Sprintf("form %s=%q", k, clip(fs.a.get(k), 60))
		}
	}
	if u, err := url.Parse(f.Action); err == nil && !fs.noFormElement && strings.TrimSpace(fs.a.get("action")) != "" {
		if _, ok := firstPhrase(normalizeText(u.Path), []string{"search", "chwilio", "searchresults", "sitesearch"}); ok {
			return "action " + clip(u.Path, 60)
		}
	}
	visible := 0
	searchy := 0
	for _, fld := range f.Fields {
		if fld.Type == "radio" || fld.Type == "checkbox" || fld.Tag == "select" {
			continue
		}
		visible++
		if fld.Category == CategorySearch {
			searchy++
		}
	}
	if visible >= 1 && searchy == visible {
		return "its only field is a search box"
	}
	if visible == 1 {
		if _, ok := firstPhrase(normalizeText(fs.submitText.String()), []string{"search", "chwilio", "find"}); ok {
			return fmt.Sprintf("submit button %q", clip(fs.submitText.String(), 40))
		}
	}
	return ""
}

func isHTTPURL(s string) bool {
	return len(s) >= 7 && strings.EqualFold(s[:7], "http://")
}
