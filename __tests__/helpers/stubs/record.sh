# shellcheck shell=bash
# Sourced by every stub: appends one record (the phase the harness runs, the program, its
# arguments) to $STUB_LOG. Fields are separated by US (\037) and records by RS (\036), so
# arguments keep their spaces and newlines.
record() {
  { printf '%s' "${STUB_PHASE:-}"; printf '\037%s' "$@"; printf '\036'; } >>"$STUB_LOG"
}

# The stub's own name, for messages.
stub_fail() {
  printf '%s (stub): %s\n' "$(basename "$0")" "$*" >&2
  exit "${STUB_FAIL_CODE:-64}"
}
