#!/usr/bin/env bash
# Installs what the integration and end-to-end tests run against, from Debian's packages:
#   dovecot-imapd, dovecot-pop3d  the real IMAP/POP3 server (tests start their own instances:
#                                 test/servers/dovecot.ts; the system service is not used)
#   mailutils-imap4d              GNU Mailutils imap4d, an IMAP server whose IDLE never announces
#                                 anything (test/servers/imap4d.ts starts the tests' own instance;
#                                 the system service is not used)
#   chromium, firefox-esr         the browsers the extension is tested in (/usr/bin/chromium;
#                                 /usr/bin/firefox-esr, driven by puppeteer-core over BiDi)
#   openssl                       a fresh self-signed certificate per test server
#   fonts-*                       readable screenshots: Latin/Cyrillic (DejaVu, Liberation),
#                                 Japanese (IPA Gothic), Chinese (WenQuanYi Zen Hei: IPA lacks
#                                 simplified hanzi), emoji (Noto Color Emoji) — the test mail has
#                                 subjects in all of these
# Does nothing, quickly, when everything is there. Needs root (or prints the command to run).
set -euo pipefail

PACKAGES=(
  dovecot-imapd dovecot-pop3d mailutils-imap4d chromium firefox-esr openssl ca-certificates
  fonts-dejavu-core fonts-liberation fonts-ipafont-gothic fonts-wqy-zenhei fonts-noto-color-emoji
)
FONTS=(fonts-dejavu-core fonts-liberation fonts-ipafont-gothic fonts-wqy-zenhei fonts-noto-color-emoji)

have_everything() {
  { command -v dovecot >/dev/null || [ -x /usr/sbin/dovecot ]; } || return 1
  [ -x /usr/lib/dovecot/imap ] && [ -x /usr/lib/dovecot/pop3 ] || return 1
  [ -x /usr/sbin/imap4d ] || return 1
  [ -x /usr/bin/chromium ] || return 1
  [ -x /usr/bin/firefox-esr ] || return 1
  command -v openssl >/dev/null || return 1
  # Fonts have no binary to look for: ask dpkg (one call, ~10 ms).
  local installed
  installed=$(dpkg-query -W -f='${Status}\n' "${FONTS[@]}" 2>/dev/null | grep -c 'install ok installed' || true)
  [ "$installed" -eq "${#FONTS[@]}" ]
}

if have_everything; then
  echo "test servers: dovecot, imap4d, chromium, firefox-esr, openssl and fonts are installed"
  exit 0
fi

install_cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${PACKAGES[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "test servers: missing packages. Install them as root with:" >&2
  echo "  sudo sh -c '$install_cmd'" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "test servers: no apt-get here; install the equivalent of: ${PACKAGES[*]}" >&2
  exit 1
fi

# The packages start a system-wide Dovecot on ports 143/993/110/995 (and imap4d on 143). Tests never use them, so keep
# them from starting: invoke-rc.d asks policy-rc.d, and exit code 101 means "not allowed". An
# existing policy-rc.d (Docker images ship one) is left as it is.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# Temporary, from scripts/setup-test-deps.sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi

echo "test servers: installing ${PACKAGES[*]}"
apt-get update -o Acquire::Retries=3
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends --no-upgrade \
  -o Acquire::Retries=3 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${PACKAGES[@]}"

# Belt and braces: if a system Dovecot started anyway (systemd ignores policy-rc.d), stop it.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  systemctl stop dovecot.service dovecot.socket mailutils-imap4d.service 2>/dev/null || true
fi
pidfile=/run/dovecot/master.pid
if [ -f "$pidfile" ]; then
  pid=$(cat "$pidfile")
  if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = /usr/sbin/dovecot ]; then
    echo "test servers: stopping the system Dovecot the package started (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
      state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo gone)
      [ "$state" = gone ] || [ "$state" = Z ] && break
      sleep 0.1
    done
  fi
fi

have_everything || { echo "test servers: install finished but something is still missing" >&2; exit 1; }
echo "test servers: ready"
