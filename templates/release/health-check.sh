# Polls the application on this instance until it answers 2xx/3xx or the budget (below the hook
# timeout of {{validateTimeoutSeconds}} s) is spent. Port and path come from SSM, as the target group uses them.
APP_PORT="$(release_value app-port)"
HEALTH_CHECK_PATH="$(release_value health-check-path)"
readonly URL="http://127.0.0.1:${APP_PORT}${HEALTH_CHECK_PATH}"
readonly BUDGET_SECONDS={{healthCheckBudgetSeconds}}
readonly INTERVAL_SECONDS=5
deadline=$((SECONDS + BUDGET_SECONDS))
attempt=0
log "checking $URL for up to ${BUDGET_SECONDS}s"
while :; do
  attempt=$((attempt + 1))
  still_running || fail "the application stopped while being checked"
  status="$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time "$INTERVAL_SECONDS" "$URL" || true)"
  if [[ "$status" =~ ^[23][0-9][0-9]$ ]]; then
    log "healthy: $URL answered $status (attempt $attempt)"
    exit 0
  fi
  if ((SECONDS + INTERVAL_SECONDS >= deadline)); then
    fail "$URL did not answer 2xx/3xx within ${BUDGET_SECONDS}s (last status: ${status:-none}, $attempt attempts)"
  fi
  log "not healthy yet: ${status:-no answer} (attempt $attempt); retrying in ${INTERVAL_SECONDS}s"
  sleep "$INTERVAL_SECONDS"
done
