#!/bin/bash
# ApplicationStop (Node.js): stops the systemd unit of webapp if there is one.
# CodeDeploy runs this hook from the previous successful revision; on the first deployment there is
# none. It depends on nothing but systemd, so it also succeeds when the application's files or
# SSM are unavailable.
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

readonly UNIT="webapp.service"

if ! systemctl cat "$UNIT" >/dev/null 2>&1; then
  log "$UNIT is not installed; nothing to stop"
  exit 0
fi
if systemctl is-active --quiet "$UNIT"; then
  log "stopping $UNIT"
  systemctl stop "$UNIT"
  log "stopped $UNIT"
else
  log "$UNIT is not running; nothing to stop"
fi
