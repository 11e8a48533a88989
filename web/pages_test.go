package web

import "strings"

// Fixture pages of an imaginary force, "Exampleshire Police", written for
// these tests after the layout of UK public-sector sites: GOV.UK-style
// form groups, a site search and a "find your local team" postcode box in
// the header, a crime report and a contact form.

const pageHead = `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%TITLE% | Exampleshire Police</title>
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header">
  <a class="logo" href="/"><img src="/assets/crest.png" alt="Exampleshire Police home"></a>
  <form class="site-search" role="search" action="/search/" method="get">
    <label for="site-search-q" class="visually-hidden">Search this site</label>
    <input type="search" id="site-search-q" name="q" placeholder="Search">
    <button type="submit">Search</button>
  </form>
</header>
<main id="main">
`

const pageFoot = `
</main>
<footer>
  <ul>
    <li><a href="/accessibility/">Accessibility</a></li>
    <li><a href="/privacy-notice/">Privacy notice</a></li>
    <li><a href="/cy/">Cymraeg</a></li>
  </ul>
  <p>&copy; Exampleshire Police</p>
</footer>
</body>
</html>
`

func page(title, main string) string {
	return strings.ReplaceAll(pageHead, "%TITLE%", title) + main + pageFoot
}

// homePage links to the report and contact pages among others, and has
// the header search plus a postcode lookup (neither is personal data).
var homePage = page("Home", `
<h1>Exampleshire Police</h1>
<p>In an emergency always call 999. For non-emergencies call 101.</p>
<section class="find-your-area">
  <h2>Your area</h2>
  <form action="/your-area/" method="get">
    <label for="area-postcode">Enter your postcode to find your local policing team</label>
    <input id="area-postcode" name="postcode" autocomplete="off">
    <button type="submit">Find</button>
  </form>
</section>
<nav class="tasks">
  <ul>
    <li><a href="/news/">Latest news</a></li>
    <li><a href="/about-us/">About us</a></li>
    <li><a href="/careers/">Join us</a></li>
    <li><a href="/report-a-crime/">Report a crime</a></li>
    <li><a href="/contact/">Contact us</a></li>
  </ul>
</nav>
`)

// reportPage is an online crime report.
var reportPage = page("Report a crime", `
<h1>Report a crime</h1>
<div class="warning">If a crime is happening now, or someone is in immediate danger, call 999.</div>
<form action="/report-a-crime/submit" method="post" novalidate>
  <input type="hidden" name="token" value="7c1e9a">
  <fieldset>
    <legend>About you</legend>
    <div class="form-group">
      <label for="title">Title</label>
      <select id="title" name="title"><option>Mr</option><option>Mrs</option><option>Miss</option><option>Ms</option><option>Mx</option></select>
    </div>
    <div class="form-group">
      <label for="first-name">First name</label>
      <input class="input" id="first-name" name="firstName" type="text" autocomplete="given-name">
    </div>
    <div class="form-group">
      <label for="last-name">Last name</label>
      <input class="input" id="last-name" name="lastName" type="text" autocomplete="family-name">
    </div>
    <fieldset class="date-input" role="group" aria-describedby="dob-hint">
      <legend>What is your date of birth?</legend>
      <div id="dob-hint" class="hint">For example, 31 3 1980</div>
      <label for="dob-day">Day</label><input id="dob-day" name="dob-day" inputmode="numeric">
      <label for="dob-month">Month</label><input id="dob-month" name="dob-month" inputmode="numeric">
      <label for="dob-year">Year</label><input id="dob-year" name="dob-year" inputmode="numeric">
    </fieldset>
    <div class="form-group">
      <label for="address-line-1">Building and street</label>
      <input id="address-line-1" name="addressLine1">
    </div>
    <div class="form-group">
      <label for="address-town">Town or city</label>
      <input id="address-town" name="addressTown">
    </div>
    <div class="form-group">
      <label for="address-postcode">Postcode</label>
      <input id="address-postcode" name="addressPostcode" class="input--width-10">
    </div>
    <div class="form-group">
      <label for="phone">Phone number</label>
      <div class="hint">We will only call you about this report</div>
      <input id="phone" name="phone">
    </div>
    <div class="form-group">
      <label for="email">Email address</label>
      <input id="email" name="emailAddress" spellcheck="false">
    </div>
  </fieldset>
  <fieldset>
    <legend>What happened</legend>
    <div class="form-group">
      <label for="when">When did it happen?</label>
      <input id="when" name="incidentDate" type="date">
    </div>
    <div class="form-group">
      <label for="where">Where did it happen?</label>
      <input id="where" name="incidentLocation">
    </div>
    <div class="form-group">
      <label for="details">Tell us what happened</label>
      <div class="hint">Include anything that could help us, such as a description of the people involved</div>
      <textarea id="details" name="details" rows="8"></textarea>
    </div>
    <div class="form-group">
      <label for="vrm">If a vehicle was involved, what was its registration number?</label>
      <input id="vrm" name="vehicleReg">
    </div>
  </fieldset>
  <button type="submit" class="button">Submit report</button>
</form>
`)

// contactPage is a general enquiry form; its action is %ACTION%.
func contactPage(action string) string {
	return page("Contact us", `
<h1>Contact us</h1>
<p>Use this form for general enquiries. To report a crime use our <a href="/report-a-crime/">online crime reporting</a>.</p>
<form action="`+action+`" method="post">
  <div class="form-group">
    <label for="contact-name">Your name</label>
    <input id="contact-name" name="name" autocomplete="name">
  </div>
  <div class="form-group">
    <label for="contact-email">Your email address</label>
    <input id="contact-email" name="email" type="email" autocomplete="email">
  </div>
  <div class="form-group">
    <label for="contact-phone">Telephone (optional)</label>
    <input id="contact-phone" name="phone" type="tel" autocomplete="tel">
  </div>
  <fieldset>
    <legend>How would you like us to reply?</legend>
    <label><input type="radio" name="reply" value="email"> Email</label>
    <label><input type="radio" name="reply" value="phone"> Phone</label>
  </fieldset>
  <div class="form-group">
    <label for="contact-enquiry">Your enquiry</label>
    <textarea id="contact-enquiry" name="enquiry" rows="6"></textarea>
  </div>
  <button type="submit">Send</button>
</form>
`)
}

// welshContactPage is the Welsh-language contact form.
const welshContactPage = `<!DOCTYPE html>
<html lang="cy">
<head><meta charset="utf-8"><title>Cysylltu â ni | Heddlu Enghraifft</title></head>
<body>
<main>
<h1>Cysylltu â ni</h1>
<p>Mewn argyfwng, ffoniwch 999.</p>
<form action="/cy/cysylltu/anfon" method="post">
  <label for="enw">Eich enw</label>
  <input id="enw" name="enw">
  <label for="ebost">Cyfeiriad e-bost</label>
  <input id="ebost" name="ebost">
  <label for="ffon">Rhif ffôn</label>
  <input id="ffon" name="ffon">
  <label for="neges">Eich neges</label>
  <textarea id="neges" name="neges"></textarea>
  <button type="submit">Anfon</button>
</form>
</main>
</body>
</html>
`

// plainPage is a page without forms.
func plainPage(title, text string) string {
	return page(title, "<h1>"+title+"</h1>\n<p>"+text+"</p>\n")
}
