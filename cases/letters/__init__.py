"""Letters: what each kind says, to whom, in which language, rendered to PDF.

- `compose`: `letter_context(letter)` picks the builder of the letter's kind; `letter_html` and
  `access_request_text` render its template.
- `access_request`, `reminder`, `incident_notice`, `complaint`: one context builder per kind.
- `common`: what every letter carries (parties, date line, references, subject) and what every
  letter after the access request recalls (missed clocks, missing items, dates).
- `parts`: pieces several letters share: dates, places, parties, items, incidents, evidence.
- `timeline`, `grounds`: the complaint's account of the case and the legal grounds it relies on.
- `recipients`: who a letter goes to and in which language; `rules`: when a letter may be
  written and what it is about. Services and pages call both.
- `phrases`: the words per language; `render`: HTML to PDF and to text (loads WeasyPrint, so
  only what renders letters imports it).

The package reads models and renders templates; it imports neither views nor services.
"""
