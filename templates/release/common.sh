readonly APP_NAME="{{appName}}"
readonly ENV_NAME="{{envName}}"
# Known at synth time; everything Terraform only learns at apply is read from SSM below.
readonly REGION="{{region}}"
readonly RELEASE_PARAMETER_PATH="{{releaseParameterPath}}"
HOOK="$(basename "$0" .sh)"
readonly HOOK

log() {
  printf '%s %s-%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$APP_NAME" "$ENV_NAME" "$HOOK" "$*"
}

fail() {
  log "ERROR: $*" >&2
  exit 1
}

# mark_released: from now on the instance's Nginx lets the health check reach the application
# (before the first release it answers it itself; templates/fleet/nginx.conf).
mark_released() {
  install -d -m 0755 "/var/lib/${APP_NAME}"
  touch "/var/lib/${APP_NAME}/first-release-started"
}

# release_value NAME: a value the environment's Terraform stored under the release path.
release_value() {
  local value
  value="$(aws ssm get-parameter --region "$REGION" --name "${RELEASE_PARAMETER_PATH}$1" --query Parameter.Value --output text)" ||
    fail "cannot read ${RELEASE_PARAMETER_PATH}$1 from SSM Parameter Store (does the instance role allow ssm:GetParameter?)"
  [ -n "$value" ] || fail "${RELEASE_PARAMETER_PATH}$1 is empty"
  printf '%s' "$value"
}
