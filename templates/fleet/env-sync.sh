#!/bin/bash
# {{appName}}-env-sync: writes the application's environment file from SSM Parameter Store.
# Installed by the launch template's user data; the deploy hooks run it again before each start,
# so a changed parameter reaches the application on the next release or restart.
#
# Every parameter under {{parameterPath}} becomes NAME=value in {{envFile}} (SecureStrings are
# decrypted). Values containing a newline are skipped with a warning: neither systemd's
# EnvironmentFile nor docker's --env-file can carry them.
set -euo pipefail

readonly REGION="{{region}}"
readonly PARAMETER_PATH="{{parameterPath}}"
readonly ENV_FILE="{{envFile}}"

install -d -m 0750 -o root -g "{{appUser}}" "$(dirname "$ENV_FILE")"
tmp="$(mktemp "$ENV_FILE.XXXXXX")"
trap 'rm -f "$tmp"' EXIT

aws ssm get-parameters-by-path \
  --region "$REGION" \
  --path "$PARAMETER_PATH" \
  --recursive \
  --with-decryption \
  --output json \
  | python3 -c '
import json, re, sys
for parameter in json.load(sys.stdin)["Parameters"]:
    full_name, value = parameter["Name"], parameter["Value"]
    name = full_name.rsplit("/", 1)[-1]
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        print("skipping %s: not a valid variable name" % full_name, file=sys.stderr)
    elif "\n" in value:
        print("skipping %s: values with newlines are not supported" % full_name, file=sys.stderr)
    else:
        print("%s=%s" % (name, value))
' >"$tmp"

chown root:"{{appUser}}" "$tmp"
chmod 0640 "$tmp"
mv "$tmp" "$ENV_FILE"
trap - EXIT
