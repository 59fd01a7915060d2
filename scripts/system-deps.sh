#!/usr/bin/env bash
# Checks the Debian packages the app needs outside Python and installs the missing ones when it
# can (Debian, as root); otherwise prints the command to run. Idempotent.
#   scripts/system-deps.sh          what the app needs (WeasyPrint's libraries, fonts, gettext)
#   scripts/system-deps.sh --test   also Chromium for the browser tests
set -euo pipefail

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext)
if [[ "${1:-}" == "--test" ]]; then
  # dovecot: the real IMAP server the mail tests start on a loopback port (tests/mail).
  packages+=(chromium dovecot-imapd)
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: cannot check Debian packages here; WeasyPrint needs Pango and HarfBuzz (with its subset library)." >&2
  exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
  echo "system-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "system-deps: missing ${missing[*]}; install them with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
fi
