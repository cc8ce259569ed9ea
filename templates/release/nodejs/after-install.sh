#!/bin/bash
# AfterInstall (Node.js): installs the production dependencies of the new release (the bundle
# carries package-lock.json, not node_modules) and writes the environment file from SSM.
set -euo pipefail
{{{common}}}

readonly APP_USER="{{appUser}}"
readonly ENV_SYNC="{{envSync}}"
readonly NPM_CACHE="/var/cache/{{appName}}-npm"

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
