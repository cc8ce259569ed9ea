#!/bin/bash
# ApplicationStart (Docker): runs the pulled image as container {{containerName}}, restarted by
# Docker unless stopped, with the environment file, the application port published, and its
# output sent to the CloudWatch log group {{logGroup}}.
set -euo pipefail
{{{common}}}

readonly CONTAINER="{{containerName}}"
readonly LOG_GROUP="{{logGroup}}"
BUNDLE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly BUNDLE

imds() {
  local token
  token="$(curl --silent --fail --max-time 2 --request PUT --header "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token)"
  curl --silent --fail --max-time 2 --header "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}

IMAGE_URI="$(tr -d '[:space:]' <"$BUNDLE/release/image-uri")"
APP_PORT="$(release_value app-port)"
ENV_FILE="$(release_value env-file)"
[ -f "$ENV_FILE" ] || fail "$ENV_FILE does not exist (AfterInstall writes it)"
INSTANCE_ID="$(imds instance-id)" || fail "cannot read the instance ID from the instance metadata service (IMDSv2)"

if [ -n "$(docker ps --all --quiet --filter "name=^${CONTAINER}\$")" ]; then
  log "removing leftover container $CONTAINER"
  docker rm --force "$CONTAINER" >/dev/null
fi

run_arguments=(
  --detach
  --name "$CONTAINER"
  --restart unless-stopped
  --init
  --env-file "$ENV_FILE"
  --env "PORT=$APP_PORT"
  --publish "$APP_PORT:$APP_PORT"
  --cap-drop ALL
  --security-opt no-new-privileges
  --log-driver awslogs
  --log-opt "awslogs-region=$REGION"
  --log-opt "awslogs-group=$LOG_GROUP"
  --log-opt "awslogs-stream=$INSTANCE_ID/container"
  --log-opt mode=non-blocking
  --log-opt max-buffer-size=4m
{{#containerRunArguments}}
  '{{.}}'
{{/containerRunArguments}}
)
log "starting $IMAGE_URI as $CONTAINER on port $APP_PORT"
mark_released
docker run "${run_arguments[@]}" "$IMAGE_URI" >/dev/null
log "container $CONTAINER started"
