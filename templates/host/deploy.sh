#!/bin/bash
# Deploys one image to the {{appName}}-{{envName}} host. Run by SSM Run Command through the
# environment's own document ({{documentName}}), which the GitHub Actions workflow sends after it
# pushed the image; the document passes IMAGE_DIGEST (sha256:...) and IMAGE_TAG (the commit).
#
#   1. the environment file from SSM Parameter Store ({{parameterPath}}), as on the fleet;
#   2. the image pulled from ECR by digest;
#   3. `docker compose up -d` with it;
#   4. health check: http://127.0.0.1:{{appPort}}{{healthCheckPath}}, {{healthCheckAttempts}} attempts {{healthCheckIntervalSeconds}} s apart;
#   5. healthy: its digest is recorded as current (the one it replaced as previous);
#      unhealthy: the previous image is started again and checked, and the script exits 1,
#      so the command, and with it the workflow run, fails.
set -euo pipefail

readonly REGION="{{region}}"
readonly REPOSITORY_URL="{{repositoryUrl}}"
readonly APP_DIRECTORY="{{appDirectory}}"
readonly COMPOSE_FILE="{{appDirectory}}/compose.yaml"
readonly STATE_DIRECTORY="{{stateDirectory}}"
readonly HEALTH_URL="http://127.0.0.1:{{appPort}}{{healthCheckPath}}"
readonly ATTEMPTS={{healthCheckAttempts}}
readonly INTERVAL_SECONDS={{healthCheckIntervalSeconds}}

log() { printf '%s deploy: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
fail() { log "FAILED: $*" >&2; exit 1; }

[[ "${IMAGE_DIGEST:-}" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "IMAGE_DIGEST ${IMAGE_DIGEST:-(empty)} is not a sha256 digest"
readonly IMAGE="$REPOSITORY_URL@$IMAGE_DIGEST"
docker compose version >/dev/null 2>&1 ||
  fail "Docker with the Compose plugin is not installed on this host: run the environment's Ansible playbook (generated/{{envName}}/ansible) once"

install -d -m 0755 "$APP_DIRECTORY"
install -d -m 0700 "$STATE_DIRECTORY"

# (1) The environment file, with the same helper as the fleet's instances.
cat >/usr/local/sbin/{{appName}}-env-sync <<'ENV_SYNC'
{{{envSyncScript}}}
ENV_SYNC
chmod 0755 /usr/local/sbin/{{appName}}-env-sync
/usr/local/sbin/{{appName}}-env-sync

# The Compose project: one service, the image given by APP_IMAGE, published on the loopback only
# (Caddy, or whatever the playbook puts in front, reaches it there), logs to CloudWatch Logs.
cat >"$COMPOSE_FILE" <<'COMPOSE'
{{{composeFile}}}
COMPOSE

# compose IMAGE ARGS...: docker compose on the project with APP_IMAGE=IMAGE.
compose() {
  export APP_IMAGE="$1"
  shift
  docker compose --project-directory "$APP_DIRECTORY" --file "$COMPOSE_FILE" "$@"
}

healthy() {
  local attempt status
  for ((attempt = 1; attempt <= ATTEMPTS; attempt++)); do
    status="$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time 5 "$HEALTH_URL" || true)"
    if [[ "$status" =~ ^[23][0-9][0-9]$ ]]; then
      log "healthy: $HEALTH_URL answered $status (attempt $attempt of $ATTEMPTS)"
      return 0
    fi
    log "not healthy yet: ${status:-no answer} (attempt $attempt of $ATTEMPTS)"
    ((attempt == ATTEMPTS)) || sleep "$INTERVAL_SECONDS"
  done
  return 1
}

# (2) Pull by digest: what runs is exactly what the workflow pushed, whatever the tags say now.
log "deploying $REPOSITORY_URL:${IMAGE_TAG:-?} ($IMAGE_DIGEST)"
aws ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin "${REPOSITORY_URL%%/*}"
docker pull "$IMAGE"

# The digest running now: the one to return to if the new image fails.
current="$(cat "$STATE_DIRECTORY/current" 2>/dev/null || true)"
if [ "$current" = "$IMAGE_DIGEST" ]; then
  log "$IMAGE_DIGEST is already the current image; starting it again if it stopped"
fi

# (3) Switch.
compose "$IMAGE" up --detach --remove-orphans

# (4) Check, and (5) record or roll back.
if healthy; then
  if [ -n "$current" ] && [ "$current" != "$IMAGE_DIGEST" ]; then printf '%s\n' "$current" >"$STATE_DIRECTORY/previous"; fi
  printf '%s\n' "$IMAGE_DIGEST" >"$STATE_DIRECTORY/current"
  log "deployed $IMAGE"
  exit 0
fi

log "$IMAGE failed its health check; its last output:"
compose "$IMAGE" logs --no-color --tail 50 || true
if [ -z "$current" ] || [ "$current" = "$IMAGE_DIGEST" ]; then
  compose "$IMAGE" down || true
  fail "$IMAGE is unhealthy and there is no previous image to return to; the application is stopped"
fi
readonly PREVIOUS="$REPOSITORY_URL@$current"
log "rolling back to $PREVIOUS"
# The prune timer may have removed it since: pull again (a no-op when it is still here).
docker pull "$PREVIOUS"
compose "$PREVIOUS" up --detach --remove-orphans
if healthy; then
  fail "$IMAGE is unhealthy; rolled back to $PREVIOUS, which answers again"
fi
fail "$IMAGE is unhealthy, and so is $PREVIOUS after the rollback: look at the host through Session Manager"
