#!/bin/bash
# Builds the image of {{appName}} ({{envName}}), pushes it to the environment's ECR repository and
# writes release/image-uri, which the deploy hooks pull. Run by buildspec.yml in CodeBuild.
set -euo pipefail

: "${ECR_REPOSITORY_URL:?set by buildspec.yml from {{releaseParameterPath}}ecr-repository-url}"
: "${AWS_REGION:?set by CodeBuild}"
: "${CODEBUILD_RESOLVED_SOURCE_VERSION:?set by CodeBuild}"
readonly DEFAULT_ENV_TAG="{{envName}}"
# artifacts.containerRepository.immutableTags: an existing tag cannot be pushed again.
readonly IMMUTABLE_TAGS={{immutableTags}}
readonly REPOSITORY="$ECR_REPOSITORY_URL"
readonly REPOSITORY_NAME="${REPOSITORY#*/}"
readonly REGISTRY="${REPOSITORY%%/*}"
readonly COMMIT="$CODEBUILD_RESOLVED_SOURCE_VERSION"
readonly ENV_TAG="${IMAGE_TAG_ENV:-$DEFAULT_ENV_TAG}"

log() {
  printf 'build-image: %s\n' "$*"
}

# tag_exists TAG: 0 when the repository has the tag, 1 when ECR answers ImageNotFoundException.
# Any other error (AccessDenied, throttling, no network) fails the build: it must not pass for
# "no such image" and make the build push over an existing immutable tag.
tag_exists() {
  local output
  if output="$(aws ecr describe-images --region "$AWS_REGION" --repository-name "$REPOSITORY_NAME" --image-ids "imageTag=$1" --query 'imageDetails[0].imageDigest' --output text 2>&1)"; then
    return 0
  fi
  if [[ "$output" == *ImageNotFoundException* ]]; then
    return 1
  fi
  log "cannot check whether $REPOSITORY:$1 exists: $output" >&2
  exit 1
}

if [ "$IMMUTABLE_TAGS" = true ]; then
  # The environment tag moves with every release, which immutable tags forbid: it carries the commit.
  tags=("$COMMIT" "$ENV_TAG-$COMMIT")
else
  tags=("$COMMIT" "$ENV_TAG")
fi

log "logging in to $REGISTRY"
aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$REGISTRY" >/dev/null

if [ "$IMMUTABLE_TAGS" = true ] && tag_exists "$COMMIT"; then
  # A retried build of the same commit reuses the image instead of failing on the existing tag.
  log "$REPOSITORY:$COMMIT exists; reusing it"
  docker pull --quiet "$REPOSITORY:$COMMIT" >/dev/null
else
  log "building $REPOSITORY:$COMMIT"
  docker build --pull --label "org.opencontainers.image.revision=$COMMIT" --tag "$REPOSITORY:$COMMIT" .
fi

for tag in "${tags[@]}"; do
  if [ "$IMMUTABLE_TAGS" = true ] && tag_exists "$tag"; then
    log "$REPOSITORY:$tag exists; not pushed again"
    continue
  fi
  [ "$tag" = "$COMMIT" ] || docker tag "$REPOSITORY:$COMMIT" "$REPOSITORY:$tag"
  log "pushing $REPOSITORY:$tag"
  docker push --quiet "$REPOSITORY:$tag" >/dev/null
done

# The digest, not a tag: the instances run exactly the image this build produced.
digest="$(aws ecr describe-images --region "$AWS_REGION" --repository-name "$REPOSITORY_NAME" --image-ids "imageTag=$COMMIT" --query 'imageDetails[0].imageDigest' --output text)"
[[ "$digest" == sha256:* ]] || { log "no digest for $REPOSITORY:$COMMIT (got: $digest)"; exit 1; }
mkdir -p release
printf '%s@%s\n' "$REPOSITORY" "$digest" >release/image-uri
log "release/image-uri: $REPOSITORY@$digest"
