#!/bin/bash
# AfterInstall (Docker): writes the environment file that the container gets with --env-file.
set -euo pipefail
{{{common}}}

readonly ENV_SYNC="{{envSync}}"

[ -x "$ENV_SYNC" ] || fail "$ENV_SYNC is missing: the instance was not set up by the fleet's user data"
log "writing the environment file from SSM Parameter Store ($ENV_SYNC)"
"$ENV_SYNC"
