#!/bin/bash
# First-boot setup of {{appName}}-{{envName}} instances (launch template user data).
# The golden AMI already has the CodeDeploy and CloudWatch agents, Docker, Nginx and Node.js;
# this script only wires the instance to its environment. The CodeDeploy agent starts after it
# (docs/decisions.md, "First boot before the agent").
set -euo pipefail
exec > >(tee -a /var/log/{{appName}}-bootstrap.log) 2>&1
{{#resumable}}

# Warm pool: Auto Scaling stops (or hibernates) an instance launched into the pool without waiting
# for this script, and cloud-init runs user data on the first boot only. So first of all the script
# installs itself as a service that runs it again at each start, before the CodeDeploy agent, until
# it has run to the end ({{firstBootDone}}). Every step below can run twice.
if [ ! -e /etc/systemd/system/{{appName}}-first-boot.service ]; then
  install -m 0700 "$0" /usr/local/sbin/{{appName}}-first-boot
  cat >/etc/systemd/system/{{appName}}-first-boot.service <<'UNIT'
[Unit]
Description=First-boot setup of {{appName}}-{{envName}}, again after an interrupted first boot
After=network-online.target cloud-final.service
Wants=network-online.target
Before=codedeploy-agent.service
ConditionPathExists=!{{firstBootDone}}

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/{{appName}}-first-boot
RemainAfterExit=yes

[Install]
WantedBy=multi-user.target
UNIT
  systemctl daemon-reload
  systemctl enable {{appName}}-first-boot.service
fi
{{/resumable}}
{{#agentDropIn}}

# An SSM association installs the CodeDeploy agent, possibly while this script runs: first of all,
# hold the agent back until this script (cloud-final.service) has finished.
{{#agentDropIn.commands}}
{{{.}}}
{{/agentDropIn.commands}}
{{/agentDropIn}}
{{#hasBaseline}}

# No golden AMI: first install what it would have baked (its components' build steps).
retry() {
  local attempts="$1" attempt=1
  shift
  until "$@"; do
    [ "$attempt" -ge "$attempts" ] && return 1
    sleep $((attempt * 10))
    attempt=$((attempt + 1))
  done
}
{{/hasBaseline}}
{{#baseline}}
{{name}}() {
  {{{body}}}
}
retry {{maxAttempts}} {{name}}
{{/baseline}}

# Application user, directories and log location.
id -u "{{appUser}}" >/dev/null 2>&1 || useradd --system --home-dir "{{appDirectory}}" --shell /sbin/nologin "{{appUser}}"
{{#docker}}
usermod -aG docker "{{appUser}}"
{{/docker}}
install -d -m 0755 -o "{{appUser}}" -g "{{appUser}}" "{{appDirectory}}" "/var/log/{{appName}}"

# (a) CloudWatch agent: configuration from its SSM parameter, then start.
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl \
  -a fetch-config -m ec2 -s -c "ssm:{{agentConfigParameter}}"

# (b) Environment file from SSM Parameter Store ({{parameterPath}}).
cat >/usr/local/sbin/{{appName}}-env-sync <<'ENV_SYNC'
{{{envSyncScript}}}
ENV_SYNC
chmod 0755 /usr/local/sbin/{{appName}}-env-sync
/usr/local/sbin/{{appName}}-env-sync
{{#nodejs}}

# (c) systemd unit that runs `npm start` in {{appDirectory}} once a release is installed.
cat >/etc/systemd/system/{{appName}}.service <<'UNIT'
{{{serviceUnit}}}
UNIT
systemctl daemon-reload
systemctl enable {{appName}}.service
{{/nodejs}}

# (d) Nginx: the load balancer's target (port {{proxyPort}}), proxying to the application on {{appPort}}.
cat >/etc/nginx/conf.d/{{appName}}.conf <<'NGINX'
{{{nginxConf}}}
NGINX
nginx -t
systemctl enable nginx
systemctl restart nginx
{{#codedeployAgent}}

# Last: the CodeDeploy agent, which deploys the moment it polls, so only once everything above exists.
{{#agentBaseline}}
{{name}}() {
  {{{body}}}
}
retry {{maxAttempts}} {{name}}
{{/agentBaseline}}
systemctl enable codedeploy-agent
# --no-block: the agent is ordered after cloud-final.service, which is running this script; a
# blocking start would wait for itself. The agent starts the moment this script has finished.
systemctl start --no-block codedeploy-agent
{{/codedeployAgent}}
{{#resumable}}

# Done: later starts (leaving the warm pool) skip the first-boot service.
install -d -m 0755 "$(dirname "{{firstBootDone}}")"
touch "{{firstBootDone}}"
{{/resumable}}
