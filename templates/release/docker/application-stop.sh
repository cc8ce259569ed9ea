#!/bin/bash
# ApplicationStop (Docker): stops and removes the container {{containerName}} if there is one.
# CodeDeploy runs this hook from the previous successful revision; on the first deployment there is
# none. It depends on nothing but Docker, so it also succeeds when the previous revision's files or
# SSM are unavailable.
set -euo pipefail
{{{common}}}

readonly CONTAINER="{{containerName}}"

if ! command -v docker >/dev/null 2>&1 || ! systemctl is-active --quiet docker; then
  log "Docker is not running; no container to stop"
  exit 0
fi
if [ -z "$(docker ps --all --quiet --filter "name=^${CONTAINER}\$")" ]; then
  log "no container $CONTAINER; nothing to stop"
  exit 0
fi
log "stopping container $CONTAINER"
docker stop --time {{stopGraceSeconds}} "$CONTAINER" >/dev/null
docker rm "$CONTAINER" >/dev/null
log "removed container $CONTAINER"
