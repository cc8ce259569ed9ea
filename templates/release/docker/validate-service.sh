#!/bin/bash
# ValidateService (Docker): the deployment succeeds on this instance only when the container runs
# and the application answers its health check on localhost.
set -euo pipefail
{{{common}}}

readonly CONTAINER="{{containerName}}"

still_running() {
  if [ -z "$(docker ps --quiet --filter "name=^${CONTAINER}\$" --filter status=running)" ]; then
    docker logs --tail 50 "$CONTAINER" >&2 || true
    return 1
  fi
}

{{{healthCheck}}}
