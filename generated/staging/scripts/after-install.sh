#!/bin/bash
# AfterInstall (Node.js): installs the production dependencies of the new release (the bundle
# carries package-lock.json, not node_modules) and writes the environment file from SSM.
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

# release_value NAME: a value the environment's Terraform stored under the release path.
release_value() {
  local value
  value="$(aws ssm get-parameter --region "$REGION" --name "${RELEASE_PARAMETER_PATH}$1" --query Parameter.Value --output text)" ||
    fail "cannot read ${RELEASE_PARAMETER_PATH}$1 from SSM Parameter Store (does the instance role allow ssm:GetParameter?)"
  [ -n "$value" ] || fail "${RELEASE_PARAMETER_PATH}$1 is empty"
  printf '%s' "$value"
}

readonly APP_USER="webapp"
readonly ENV_SYNC="/usr/local/sbin/webapp-env-sync"
readonly NPM_CACHE="/var/cache/webapp-npm"

APP_DIRECTORY="$(release_value app-directory)"
[ -f "$APP_DIRECTORY/package.json" ] || fail "no package.json in $APP_DIRECTORY: the revision does not contain the application"
[ -f "$APP_DIRECTORY/package-lock.json" ] || fail "no package-lock.json in $APP_DIRECTORY: npm ci needs the lock file in the revision"

install -d -m 0750 -o "$APP_USER" -g "$APP_USER" "$NPM_CACHE"
log "installing production dependencies (npm ci --omit=dev) as $APP_USER"
cd "$APP_DIRECTORY"
runuser -u "$APP_USER" -- env HOME="$APP_DIRECTORY" npm_config_cache="$NPM_CACHE" \
  npm ci --omit=dev --no-audit --no-fund --loglevel=warn

[ -x "$ENV_SYNC" ] || fail "$ENV_SYNC is missing: the instance was not set up by the fleet's user data"
log "writing the environment file from SSM Parameter Store ($ENV_SYNC)"
"$ENV_SYNC"
log "release installed in $APP_DIRECTORY"
