#!/bin/bash
# BeforeInstall (Node.js): checks that the instance can run this release and prepares the
# application directory that the appspec.yml files section installs into.
set -euo pipefail
{{{common}}}

readonly APP_USER="{{appUser}}"
readonly UNIT="{{unit}}"
readonly NODEJS_MAJOR="{{nodejsMajor}}"

id -u "$APP_USER" >/dev/null 2>&1 || fail "user $APP_USER does not exist: the instance was not set up by the fleet's user data"
systemctl cat "$UNIT" >/dev/null 2>&1 || fail "$UNIT is not installed: the instance was not set up by the fleet's user data"
command -v node >/dev/null 2>&1 || fail "node is not installed (the golden AMI's nodejs component provides it)"
installed="$(node --version)"
[[ "$installed" == "v${NODEJS_MAJOR}."* ]] ||
  fail "node $installed on the instance, but the release was built and tested with Node.js $NODEJS_MAJOR (goldenAmi.nodejsMajor)"

APP_DIRECTORY="$(release_value app-directory)"
if [ ! -d "$APP_DIRECTORY" ]; then
  log "creating $APP_DIRECTORY"
  install -d -m 0755 -o "$APP_USER" -g "$APP_USER" "$APP_DIRECTORY"
fi
log "ready to install into $APP_DIRECTORY with node $installed"
