#!/bin/bash
# First-boot setup of the {{appName}}-{{envName}} host (instance user data). Ansible configures the
# application; this script only makes the host observable from its first minute.
set -euo pipefail
exec > >(tee -a /var/log/{{appName}}-bootstrap.log) 2>&1

install -d -m 0755 "/var/log/{{appName}}"

# CloudWatch agent (part of the golden AMI; installed from the Amazon Linux repositories otherwise),
# with its configuration from SSM Parameter Store: memory and disk metrics, system and app logs.
if [ ! -x /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl ]; then
  dnf install -y amazon-cloudwatch-agent
fi
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl \
  -a fetch-config -m ec2 -s -c "ssm:{{agentConfigParameter}}"
