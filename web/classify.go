package web

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Category is the kind of personal data a form field asks for.
type Category string

// Field categories. Every category but CategorySearch and CategoryNone is
// personal data; CategoryCredentials is the most severe.
const (
	CategoryNone        Category = ""
	CategoryName        Category = "name"
	CategoryEmail       Category = "email"
	CategoryPhone       Category = "phone"
	CategoryAddress     Category = "address"
	CategoryPostcode    Category = "postcode"
	CategoryDateOfBirth Category = "date-of-birth"
	CategoryDate        Category = "date"
	CategoryNINumber    Category = "national-insurance-number"
	CategoryVehicleReg  Category = "vehicle-registration"
	CategoryIncident    Category = "incident-details"
	CategoryFreeText    Category = "free-text"
	CategoryPaymentCard Category = "payment-card"
	CategoryIDDocument  Category = "identity-document"
	CategorySpecial     Category = "special-category"
	CategoryCredentials Category = "credentials"
	CategorySearch      Category = "search"
)

// Describe returns the category in words, for human output ("phone
// number").
func (c Category) Describe() string {
	switch c {
	case CategoryName:
		return "name"
	case CategoryEmail:
		return "email address"
	case CategoryPhone:
		return "phone number"
	case CategoryAddress:
		return "address"
	case CategoryPostcode:
		return "postcode"
	case CategoryDateOfBirth:
		return "date of birth"
	case CategoryDate:
		return "dates"
	case CategoryNINumber:
		return "National Insurance number"
	case CategoryVehicleReg:
		return "vehicle registration"
	case CategoryIncident:
		return "incident details"
	case CategoryFreeText:
		return "free text"
	case CategoryPaymentCard:
		return "payment card details"
	case CategoryIDDocument:
		return "identity document number"
	case CategorySpecial:
		return "special-category data"
	case CategoryCredentials:
		return "password"
	case CategorySearch:
		return "search terms"
	}
	return string(c)
}

// personal reports whether the category is personal data.
func (c Category) personal() bool {
	return c != CategoryNone && c != CategorySearch
}

// sensitive categories make a form high severity.
func (c Category) sensitive() bool {
	switch c {
	case CategoryDateOfBirth, CategoryNINumber, CategoryVehicleReg, CategoryIncident,
		CategoryPaymentCard, CategoryIDDocument, CategorySpecial:
		return true
	}
	return false
}

// Severity ranks what a form exposes when it travels in plain text.
type Severity string

// Severities, lowest first.
const (
	SeverityNone     Severity = "none"     // no personal data (search boxes, lookups)
	SeverityLow      Severity = "low"      // an email address alone (newsletter), or free text alone
	SeverityMedium   Severity = "medium"   // contact details: name, email, phone, address
	SeverityHigh     Severity = "high"     // crime or incident details, date of birth, NI number, card...
	SeverityCritical Severity = "critical" // credentials (a password field)
)

// Rank orders severities: none 0 ... critical 4.
func (s Severity) Rank() int {
	switch s {
	case SeverityLow:
		return 1
	case SeverityMedium:
		return 2
	case SeverityHigh:
		return 3
	case SeverityCritical:
		return 4
	}
	return 0
}

// maxNormInput bounds how much text normalizeText looks at.
const maxNormInput = 400

// normalizeText turns free text or an identifier into a string of
// lower-case words separated by single spaces, with a space at each end,
// so that phrases can be matched as whole words: "txtFirstName" →
// " txt first name ", "Rhif ffôn:" → " rhif ffon ". Diacritics used in
// Welsh are folded; camelCase and letter/digit boundaries split words.
func normalizeText(s string) string {
	if len(s) > maxNormInput {
		s = s[:maxNormInput]
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteByte(' ')
	prevSpace := true
	var prev rune
	for _, r := range s {
		if r == utf8.RuneError {
			r = ' '
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			split := false
			if !prevSpace {
				switch {
				case unicode.IsUpper(r) && unicode.IsLower(prev):
					split = true
				case unicode.IsDigit(r) != unicode.IsDigit(prev):
					split = true
				}
			}
			if split {
				b.WriteByte(' ')
			}
			b.WriteRune(foldRune(unicode.ToLower(r)))
			prevSpace = false
		default:
			if !prevSpace {
				b.WriteByte(' ')
				prevSpace = true
			}
		}
		prev = r
	}
	if !prevSpace {
		b.WriteByte(' ')
	}
	return b.String()
}

// foldRune drops the accents Welsh (and the odd English word) uses.
func foldRune(r rune) rune {
	switch r {
	case 'â', 'á', 'à', 'ä':
		return 'a'
	case 'ê', 'é', 'è', 'ë':
		return 'e'
	case 'î', 'í', 'ì', 'ï':
		return 'i'
	case 'ô', 'ó', 'ò', 'ö':
		return 'o'
	case 'û', 'ú', 'ù', 'ü':
		return 'u'
	case 'ŵ', 'ẃ', 'ẁ', 'ẅ':
		return 'w'
	case 'ŷ', 'ý', 'ỳ', 'ÿ':
		return 'y'
	}
	return r
}

// hasPhrase reports whether normalised text contains the phrase (words
// separated by single spaces) as whole words.
func hasPhrase(norm, phrase string) bool {
	return strings.Contains(norm, " "+phrase+" ")
}

// firstPhrase returns the first of phrases that norm contains.
func firstPhrase(norm string, phrases []string) (string, bool) {
	for _, p := range phrases {
		if hasPhrase(norm, p) {
			return p, true
		}
	}
	return "", false
}

// fieldRule maps words to a category. Rules are tried in order, so the
// more specific come first ("email address" before "address", "date of
// birth" before "date").
type fieldRule struct {
	cat     Category
	phrases []string
	// unless lists words that stop the rule ("company name" is no
	// person's name).
	unless []string
}

var fieldRules = []fieldRule{
	{cat: CategoryCredentials, phrases: []string{
		"password", "passwd", "passphrase", "passcode", "pass word", "pin code", "one time code",
		"cyfrinair", "cyfrinymadrodd",
	}},
	{cat: CategoryEmail, phrases: []string{
		"email", "e mail", "emailaddress", "emailaddr", "mail address",
		"e bost", "ebost", "cyfeiriad e bost",
	}},
	{cat: CategoryPhone, phrases: []string{
		"phone", "telephone", "tel", "mobile", "landline", "phonenumber", "telephonenumber",
		"mobilenumber", "telno", "phoneno", "contact number", "daytime number",
		"ffon", "rhif ffon", "ffon symudol", "rhif ffon symudol",
	}},
	{cat: CategoryNINumber, phrases: []string{
		"national insurance", "nationalinsurance", "ni number", "ni no", "nino", "nin",
		"yswiriant gwladol",
	}},
	{cat: CategoryDateOfBirth, phrases: []string{
		"date of birth", "dateofbirth", "dob", "birth date", "birthdate", "birthday", "bday",
		"born", "dyddiad geni", "geni",
	}},
	{cat: CategoryVehicleReg, phrases: []string{
		"vehicle registration", "registration number", "registration mark", "number plate",
		"numberplate", "vrm", "vrn", "vehicle reg", "reg number", "reg no", "vehiclereg",
		"rhif cofrestru", "plat rhif",
	}},
	{cat: CategoryPaymentCard, phrases: []string{
		"card number", "cardnumber", "credit card", "debit card", "cvv", "cvc", "cv2",
		"security code", "expiry date", "sort code", "account number", "iban",
		"rhif cerdyn", "cod didoli",
	}},
	{cat: CategoryIDDocument, phrases: []string{
		"passport", "driving licence", "driving license", "licence number", "license number",
		"drivinglicence", "pasbort", "trwydded yrru",
	}},
	{cat: CategorySpecial, phrases: []string{
		"ethnicity", "ethnic", "ethnic origin", "religion", "religious", "faith", "sexual orientation",
		"sexuality", "disability", "disabled", "health condition", "medical", "gender", "sex",
		"ethnigrwydd", "crefydd", "anabledd",
	}},
	{cat: CategoryPostcode, phrases: []string{
		"postcode", "post code", "postal code", "postalcode", "zip", "zipcode", "zip code",
		"cod post", "codpost",
	}},
	{cat: CategoryAddress, phrases: []string{
		"address", "street", "house number", "house name", "flat number", "town", "city",
		"county", "addressline", "addressline1", "address1", "address2", "locality",
		"cyfeiriad", "stryd", "tref", "dinas", "sir",
	}},
	{cat: CategoryName, phrases: []string{
		"name", "first name", "firstname", "fname", "forename", "forenames", "given name",
		"givenname", "surname", "last name", "lastname", "lname", "family name", "familyname",
		"full name", "fullname", "middle name", "maiden name",
		"enw", "enw cyntaf", "cyfenw", "enw llawn",
	}, unless: []string{
		"company", "organisation", "organization", "business", "file", "filename", "user",
		"username", "school", "team", "event", "venue", "road", "street", "place", "station",
		"product", "pet", "group", "club", "charity", "employer", "force", "department",
		"sefydliad", "cwmni", "ffeil",
	}},
	{cat: CategoryIncident, phrases: []string{
		"what happened", "happened", "incident", "crime", "offence", "offense", "describe",
		"description", "details of the incident", "suspect", "offender", "witness", "victim",
		"stolen", "damage", "antisocial", "anti social", "asb", "collision", "fraud",
		"beth ddigwyddodd", "digwyddodd", "digwyddiad", "trosedd", "disgrifiad", "disgrifiwch",
		"drwgdybiedig", "tyst",
	}},
	{cat: CategoryFreeText, phrases: []string{
		"message", "comments", "comment", "enquiry", "inquiry", "your question", "question",
		"details", "more information", "further information", "feedback", "complaint",
		"neges", "sylwadau", "sylw", "ymholiad", "manylion", "cwyn", "adborth",
	}},
	{cat: CategoryDate, phrases: []string{
		"date", "when did", "what date", "dyddiad", "pryd",
	}},
}

// searchWords mark search boxes in labels, names and attributes.
var searchWords = []string{"search", "searchterm", "searchtext", "keywords", "keyword", "query", "chwilio", "chwilio am"}

// matchFieldRule returns the first rule's category whose phrase occurs in
// the normalised text, and the phrase.
func matchFieldRule(norm string, allow func(Category) bool) (Category, string) {
	if strings.TrimSpace(norm) == "" {
		return CategoryNone, ""
	}
	if p, ok := firstPhrase(norm, searchWords); ok && (allow == nil || allow(CategorySearch)) {
		// "Search by postcode" is a search, not a postcode.
		return CategorySearch, p
	}
	for _, r := range fieldRules {
		if allow != nil && !allow(r.cat) {
			continue
		}
		p, ok := firstPhrase(norm, r.phrases)
		if !ok {
			continue
		}
		if _, stop := firstPhrase(norm, r.unless); stop {
			continue
		}
		return r.cat, p
	}
	return CategoryNone, ""
}

// autocompleteCategory maps an autocomplete attribute (HTML's autofill
// detail tokens, e.g. "section-a shipping tel-national") to a category.
func autocompleteCategory(v string) (Category, string) {
	toks := strings.Fields(strings.ToLower(v))
	for i := len(toks) - 1; i >= 0; i-- {
		t := toks[i]
		switch t {
		case "webauthn", "home", "work", "mobile", "fax", "pager", "shipping", "billing":
			continue
		case "name", "honorific-prefix", "given-name", "additional-name", "family-name",
			"honorific-suffix", "nickname":
			return CategoryName, t
		case "email":
			return CategoryEmail, t
		case "tel", "tel-country-code", "tel-national", "tel-area-code", "tel-local",
			"tel-local-prefix", "tel-local-suffix", "tel-extension":
			return CategoryPhone, t
		case "street-address", "address-line1", "address-line2", "address-line3",
			"address-level1", "address-level2", "address-level3", "address-level4":
			return CategoryAddress, t
		case "postal-code":
			return CategoryPostcode, t
		case "bday", "bday-day", "bday-month", "bday-year":
			return CategoryDateOfBirth, t
		case "cc-name", "cc-given-name", "cc-additional-name", "cc-family-name", "cc-number",
			"cc-exp", "cc-exp-month", "cc-exp-year", "cc-csc", "cc-type":
			return CategoryPaymentCard, t
		case "current-password", "new-password", "one-time-code":
			return CategoryCredentials, t
		case "sex":
			return CategorySpecial, t
		}
		if strings.HasPrefix(t, "section-") {
			continue
		}
		// The last token is the field name; anything else (on, off,
		// organization, country, username...) says nothing personal.
		return CategoryNone, ""
	}
	return CategoryNone, ""
}

// linkKeyword weighs words in a link's text or URL by how likely the page
// behind it holds a form asking for personal data.
type linkKeyword struct {
	phrase string
	weight int
}

var linkKeywords = []linkKeyword{
	// Reporting crime and incidents: the study's subject.
	{"report a crime", 12}, {"report crime", 12}, {"report it", 10}, {"report", 9},
	{"crime", 7}, {"incident", 8}, {"antisocial", 8}, {"anti social", 8}, {"asb", 6},
	{"fraud", 6}, {"collision", 6}, {"dashcam", 6}, {"footage", 5}, {"tell us", 8},
	{"tell us about", 9}, {"rhoi gwybod", 10}, {"adrodd", 10}, {"trosedd", 7},
	{"riportio", 9}, {"digwyddiad", 8}, {"ymddygiad gwrthgymdeithasol", 8},
	// Contact.
	{"contact", 8}, {"contact us", 9}, {"contactus", 9}, {"get in touch", 8}, {"enquiry", 8},
	{"enquiries", 8}, {"inquiry", 7}, {"ask", 4}, {"ask us", 6}, {"message", 4},
	{"cysylltu", 8}, {"cysylltwch", 8}, {"cysylltwch a ni", 9}, {"ymholiad", 8}, {"ymholiadau", 8},
	// Complaints and feedback.
	{"complaint", 7}, {"complaints", 7}, {"complain", 7}, {"compliment", 5}, {"feedback", 7},
	{"your say", 5}, {"cwyn", 7}, {"cwynion", 7}, {"adborth", 7}, {"canmoliaeth", 5},
	// Applications, accounts.
	{"apply", 6}, {"application", 6}, {"register", 6}, {"registration", 6}, {"sign up", 5},
	{"signup", 5}, {"log in", 5}, {"login", 5}, {"sign in", 5}, {"signin", 5}, {"my account", 5},
	{"gwneud cais", 6}, {"cais", 5}, {"cofrestru", 6}, {"mewngofnodi", 5},
	// Appeals, information requests, forms in general.
	{"appeal", 5}, {"appeals", 5}, {"freedom of information", 5}, {"foi", 5},
	{"subject access", 5}, {"request", 4}, {"form", 5}, {"forms", 5}, {"online", 2},
	{"apel", 5}, {"apeliadau", 5}, {"rhyddid gwybodaeth", 5}, {"ffurflen", 5}, {"ffurflenni", 5},
	{"lost property", 4}, {"firearms licensing", 4}, {"volunteer", 3}, {"careers", 2},
}

// negativeLinkWords are links never worth a page of the budget: leaving
// an account, and publications whose titles say "report".
var negativeLinkWords = []string{
	"logout", "log out", "sign out", "signout", "unsubscribe", "print", "rss",
	"annual report", "annual reports", "inspection report", "inspection reports",
	"reports and publications", "publications", "adroddiad blynyddol", "cyhoeddiadau",
}

// skipExtensions are URL path endings that are not HTML pages.
var skipExtensions = []string{
	".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".csv", ".zip",
	".gz", ".rar", ".7z", ".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp", ".ico", ".mp3",
	".mp4", ".avi", ".mov", ".wav", ".css", ".js", ".json", ".xml", ".rss", ".txt", ".woff",
	".woff2", ".ttf", ".eot", ".exe", ".msi", ".dmg", ".iso", ".apk",
}

// linkScore rates a link by its words and its URL's words; 0 means not a
// candidate.
func linkScore(text, path string) int {
	lp := strings.ToLower(path)
	for _, ext := range skipExtensions {
		if strings.HasSuffix(lp, ext) {
			return 0
		}
	}
	nt, np := normalizeText(text), normalizeText(path)
	for _, w := range negativeLinkWords {
		if hasPhrase(nt, w) || hasPhrase(np, w) {
			return 0
		}
	}
	best := func(norm string) int {
		m := 0
		for _, k := range linkKeywords {
			if k.weight > m && hasPhrase(norm, k.phrase) {
				m = k.weight
			}
		}
		return m
	}
	st, sp := best(nt), best(np)
	if st == 0 && sp == 0 {
		return 0
	}
	score := 3*st + 2*sp
	if st > 0 && sp > 0 {
		score += 5
	}
	return score
}
