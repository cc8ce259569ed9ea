#!/bin/bash
# ApplicationStart (Node.js): (re)starts the systemd unit, which runs `npm start` as {{appUser}}.
set -euo pipefail
{{{common}}}

readonly UNIT="{{unit}}"

log "starting $UNIT"
mark_released
systemctl daemon-reload
systemctl restart "$UNIT"
sleep 2
if ! systemctl is-active --quiet "$UNIT"; then
  journalctl --unit "$UNIT" --lines 50 --no-pager >&2 || true
  fail "$UNIT is not running after start"
fi
log "$UNIT is running"
