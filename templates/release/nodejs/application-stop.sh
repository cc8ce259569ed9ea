#!/bin/bash
# ApplicationStop (Node.js): stops the systemd unit of {{appName}} if there is one.
# CodeDeploy runs this hook from the previous successful revision; on the first deployment there is
# none. It depends on nothing but systemd, so it also succeeds when the application's files or
# SSM are unavailable.
set -euo pipefail
{{{common}}}

readonly UNIT="{{unit}}"

if ! systemctl cat "$UNIT" >/dev/null 2>&1; then
  log "$UNIT is not installed; nothing to stop"
  exit 0
fi
if systemctl is-active --quiet "$UNIT"; then
  log "stopping $UNIT"
  systemctl stop "$UNIT"
  log "stopped $UNIT"
else
  log "$UNIT is not running; nothing to stop"
fi
