#!/bin/bash
# BeforeInstall (Node.js): checks that the instance can run this release and prepares the
# application directory that the appspec.yml files section installs into.
set -euo pipefail
readonly APP_NAME="webapp"
readonly ENV_NAME="production"
# Known at synth time; everything Terraform only learns at apply is read from SSM below.
readonly REGION="eu-west-1"
readonly RELEASE_PARAMETER_PATH="/webapp/production/release/"
HOOK="$(basename "$0" .sh)"
readonly HOOK

log() {
  printf '%s %s-%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$APP_NAME" "$ENV_NAME" "$HOOK" "$*"
}

fail() {
  log "ERROR: $*" >&2
  exit 1
}

# mark_released: from now on the instance's Nginx lets the health check reach the application
# (before the first release it answers it itself; templates/fleet/nginx.conf).
mark_released() {
  install -d -m 0755 "/var/lib/${APP_NAME}"
  touch "/var/lib/${APP_NAME}/first-release-started"
}

# release_value NAME: a value the environment's Terraform stored under the release path.
release_value() {
  local value
  value="$(aws ssm get-parameter --region "$REGION" --name "${RELEASE_PARAMETER_PATH}$1" --query Parameter.Value --output text)" ||
    fail "cannot read ${RELEASE_PARAMETER_PATH}$1 from SSM Parameter Store (does the instance role allow ssm:GetParameter?)"
  [ -n "$value" ] || fail "${RELEASE_PARAMETER_PATH}$1 is empty"
  printf '%s' "$value"
}

readonly APP_USER="webapp"
readonly UNIT="webapp.service"
readonly NODEJS_MAJOR="22"

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
