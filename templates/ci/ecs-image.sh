set -euo pipefail
# Builds the image of one ECS service, pushes it under a tag of its own (commit and build number:
# the repository's tags may be immutable) and writes imagedefinitions.json for the deploy step, as
# the service's CodeBuild project does (templates/ecs/buildspec.yml). The CI file sets
# AWS_ACCOUNT_ID, AWS_REGION, REPOSITORY_NAME, CONTAINER_NAME and BUILD_CONTEXT.
registry="$AWS_ACCOUNT_ID.dkr.ecr.$AWS_REGION.amazonaws.com"
image="$registry/$REPOSITORY_NAME:{{imageTag}}"
aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$registry"
docker build --tag "$image" "$BUILD_CONTEXT"
docker push "$image"
printf '[{"name":"%s","imageUri":"%s"}]\n' "$CONTAINER_NAME" "$image" > imagedefinitions.json
