#!/bin/bash
# Container instance of {{clusterName}}: joins the cluster; the ECS agent does the rest.
set -euo pipefail
cat >> /etc/ecs/ecs.config <<'CONFIG'
ECS_CLUSTER={{clusterName}}
ECS_ENABLE_TASK_IAM_ROLE=true
ECS_AWSVPC_BLOCK_IMDS=true
ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM=ec2_instance
CONFIG
