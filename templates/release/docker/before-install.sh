#!/bin/bash
# BeforeInstall (Docker): logs in to the environment's ECR registry (URL from SSM) and pulls the
# image the build wrote into release/image-uri of this revision.
set -euo pipefail
{{{common}}}

BUNDLE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly BUNDLE

[ -s "$BUNDLE/release/image-uri" ] || fail "the revision has no release/image-uri (written by buildspec.yml)"
IMAGE_URI="$(tr -d '[:space:]' <"$BUNDLE/release/image-uri")"
ECR_REPOSITORY_URL="$(release_value ecr-repository-url)"
case "$IMAGE_URI" in
  "$ECR_REPOSITORY_URL@sha256:"* | "$ECR_REPOSITORY_URL:"*) ;;
  *) fail "image $IMAGE_URI is not in this environment's repository $ECR_REPOSITORY_URL" ;;
esac

if ! systemctl is-active --quiet docker; then
  log "starting Docker"
  systemctl start docker
fi
log "logging in to ${ECR_REPOSITORY_URL%%/*}"
aws ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin "${ECR_REPOSITORY_URL%%/*}" >/dev/null
log "pulling $IMAGE_URI"
docker pull --quiet "$IMAGE_URI" >/dev/null
log "pulled $IMAGE_URI"
