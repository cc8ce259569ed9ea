#!/bin/bash
# ValidateService (Node.js): the deployment succeeds on this instance only when the application
# answers its health check on localhost.
set -euo pipefail
readonly APP_NAME="webapp"
readonly ENV_NAME="staging"
# Known at synth time; everything Terraform only learns at apply is read from SSM below.
readonly REGION="eu-west-1"
readonly RELEASE_PARAMETER_PATH="/webapp/staging/release/"
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

still_running() {
  systemctl is-active --quiet "$UNIT"
}

# Polls the application on this instance until it answers 2xx/3xx or the budget (below the hook
# timeout of 300 s) is spent. Port and path come from SSM, as the target group uses them.
APP_PORT="$(release_value app-port)"
HEALTH_CHECK_PATH="$(release_value health-check-path)"
readonly URL="http://127.0.0.1:${APP_PORT}${HEALTH_CHECK_PATH}"
readonly BUDGET_SECONDS=270
readonly INTERVAL_SECONDS=5
deadline=$((SECONDS + BUDGET_SECONDS))
attempt=0
log "checking $URL for up to ${BUDGET_SECONDS}s"
while :; do
  attempt=$((attempt + 1))
  still_running || fail "the application stopped while being checked"
  status="$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time "$INTERVAL_SECONDS" "$URL" || true)"
  if [[ "$status" =~ ^[23][0-9][0-9]$ ]]; then
    log "healthy: $URL answered $status (attempt $attempt)"
    exit 0
  fi
  if ((SECONDS + INTERVAL_SECONDS >= deadline)); then
    fail "$URL did not answer 2xx/3xx within ${BUDGET_SECONDS}s (last status: ${status:-none}, $attempt attempts)"
  fi
  log "not healthy yet: ${status:-no answer} (attempt $attempt); retrying in ${INTERVAL_SECONDS}s"
  sleep "$INTERVAL_SECONDS"
done
