#!/bin/bash
# AfterInstall (Node.js): puts the production dependencies that CodeBuild installed and packed
# ({{dependenciesArchive}}) in place of the previous release's, then writes the environment file
# from SSM. No npm here: every instance of a release gets the same bytes, without the npm
# registry or a compiler.
set -euo pipefail
{{{common}}}

readonly APP_USER="{{appUser}}"
readonly ENV_SYNC="{{envSync}}"

APP_DIRECTORY="$(release_value app-directory)"
readonly ARCHIVE="$APP_DIRECTORY/{{dependenciesArchive}}"
readonly RUNTIME_RECORD="$APP_DIRECTORY/{{runtimeRecord}}"
[ -f "$APP_DIRECTORY/package.json" ] || fail "no package.json in $APP_DIRECTORY: the revision does not contain the application"
for packed in "$ARCHIVE" "$RUNTIME_RECORD"; do
  [ -s "$packed" ] || fail "no ${packed#"$APP_DIRECTORY/"} in the revision: it was not built by this environment's buildspec.yml, which packs the production dependencies"
done

# Native modules load only on the platform, architecture and Node.js ABI they were compiled for.
built_for="$(head -n 1 "$RUNTIME_RECORD")"
instance="$(node -p '{{{nodeRuntimeProbe}}}')" || fail "cannot run node on this instance"
[ "${built_for%% *}" = "$instance" ] ||
  fail "the dependencies were built for $built_for, this instance runs $instance ($(node --version)): build on the fleet's architecture with goldenAmi.nodejsMajor"

staging="$(mktemp -d "$APP_DIRECTORY/.node_modules.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
log "unpacking the production dependencies built for $built_for"
tar --extract --gzip --file "$ARCHIVE" --directory "$staging" --no-same-owner
[ -d "$staging/node_modules" ] || fail "$ARCHIVE has no node_modules/"
chown -R "$APP_USER:$APP_USER" "$staging/node_modules"
# The application is stopped (ApplicationStop): the previous release's dependencies go as a whole.
rm -rf "$APP_DIRECTORY/node_modules"
mv "$staging/node_modules" "$APP_DIRECTORY/node_modules"

[ -x "$ENV_SYNC" ] || fail "$ENV_SYNC is missing: the instance was not set up by the fleet's user data"
log "writing the environment file from SSM Parameter Store ($ENV_SYNC)"
"$ENV_SYNC"
log "release installed in $APP_DIRECTORY"
