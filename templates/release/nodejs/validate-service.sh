#!/bin/bash
# ValidateService (Node.js): the deployment succeeds on this instance only when the application
# answers its health check on localhost.
set -euo pipefail
{{{common}}}

readonly UNIT="{{unit}}"

still_running() {
  systemctl is-active --quiet "$UNIT"
}

{{{healthCheck}}}
