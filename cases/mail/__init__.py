"""Mail with the vendor: letters sent from the app with a reply address per case, and the
vendor's replies read in by one pipeline whichever way they come (an IMAP mailbox, a provider's
inbound webhook, an uploaded .eml/.msg), filed on the case with a suggestion the person confirms.

  addresses  the reply address of a case: issue, parse, look up, revoke
  sending    a letter to the vendor as an e-mail, recorded as sent with the time it left
  parsing    raw bytes (RFC 5322, or an Outlook .msg) to one ParsedMail
  rules      what a message is, from one table of phrases per language
  pipeline   store, file, turn attachments into evidence, suggest; flag bounces at once
  services   confirm, dismiss or file a message by hand
  imap       poll a mailbox (beat), with backoff; its state shows on /healthz
  inbound    django-anymail's inbound signal into the pipeline
  selectors  a case's messages, an organisation's queue
"""
