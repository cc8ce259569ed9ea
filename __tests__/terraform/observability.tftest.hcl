# Every environment stack: agent configuration, log groups, alarms, notification topic, release parameters.
# requires: aws_ssm_parameter.cloudwatch_agent_config aws_cloudwatch_metric_alarm.alarms_alb_5xx aws_cloudwatch_dashboard.dashboard aws_sns_topic.notifications aws_ssm_parameter.release_parameters_ecr_repository_url aws_codedeploy_deployment_group.deployment_group
# (Environments on a dedicated ALB: a shared ALB's own 5xx are the shared stack's alarm.)

run "plan_observability" {
  command = plan

  assert {
    condition     = can(jsondecode(aws_ssm_parameter.cloudwatch_agent_config.value).logs.logs_collected.files.collect_list)
    error_message = "The agent configuration must be JSON with log files to collect."
  }
  assert {
    condition     = jsondecode(aws_ssm_parameter.cloudwatch_agent_config.value).metrics.append_dimensions.AutoScalingGroupName == "$${aws:AutoScalingGroupName}"
    error_message = "Agent placeholders must reach the instance unresolved by Terraform."
  }
  assert {
    condition     = alltrue([for g in [aws_cloudwatch_log_group.cloudwatch_agent_application_logs, aws_cloudwatch_log_group.cloudwatch_agent_system_logs, aws_cloudwatch_log_group.cloudwatch_agent_deployment_logs] : g.retention_in_days > 0])
    error_message = "Every log group must have a retention period."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.alarms_alb_5xx.metric_name == "HTTPCode_ELB_5XX_Count" && aws_cloudwatch_metric_alarm.alarms_target_5xx.metric_name == "HTTPCode_Target_5XX_Count" && aws_cloudwatch_metric_alarm.alarms_unhealthy_hosts.metric_name == "UnHealthyHostCount"
    error_message = "Alarms must watch 5xx and unhealthy hosts."
  }
  assert {
    condition     = length(aws_codedeploy_deployment_group.deployment_group.alarm_configuration) == 0 || contains(aws_codedeploy_deployment_group.deployment_group.alarm_configuration[0].alarms, aws_cloudwatch_metric_alarm.alarms_alb_5xx.alarm_name)
    error_message = "A dedicated load balancer's own 5xx stop the environment's deployments."
  }
  assert {
    condition     = startswith(aws_ssm_parameter.release_parameters_ecr_repository_url.name, "/") && endswith(aws_ssm_parameter.release_parameters_ecr_repository_url.name, "/release/ecr-repository-url")
    error_message = "The release files read the ECR URL from a known parameter."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.alarms_latency_p95.metric_name == "TargetResponseTime" && aws_cloudwatch_metric_alarm.alarms_latency_p95.extended_statistic == "p95" && aws_cloudwatch_metric_alarm.alarms_latency_p95.statistic == null && aws_cloudwatch_metric_alarm.alarms_latency_p99.extended_statistic == "p99"
    error_message = "Latency alarms watch the target group's p95 and p99 response time (extended statistics)."
  }
  assert {
    # The agent publishes an aggregate with exactly the AutoScalingGroupName dimension; the alarms must name exactly that.
    condition     = contains(jsondecode(aws_ssm_parameter.cloudwatch_agent_config.value).metrics.aggregation_dimensions, ["AutoScalingGroupName"]) && alltrue([for a in [aws_cloudwatch_metric_alarm.alarms_memory_high, aws_cloudwatch_metric_alarm.alarms_disk_high] : a.namespace == jsondecode(aws_ssm_parameter.cloudwatch_agent_config.value).metrics.namespace && length(a.dimensions) == 1 && contains(keys(a.dimensions), "AutoScalingGroupName")]) && aws_cloudwatch_metric_alarm.alarms_memory_high.metric_name == "mem_used_percent" && aws_cloudwatch_metric_alarm.alarms_disk_high.metric_name == "disk_used_percent"
    error_message = "Memory and disk alarms must watch the agent's per-group aggregate (CWAgent mem_used_percent, disk_used_percent by AutoScalingGroupName)."
  }

}

run "apply_observability" {
  command = apply

  assert {
    condition     = alltrue([for a in [aws_cloudwatch_metric_alarm.alarms_alb_5xx, aws_cloudwatch_metric_alarm.alarms_target_5xx, aws_cloudwatch_metric_alarm.alarms_unhealthy_hosts, aws_cloudwatch_metric_alarm.alarms_cpu_high] : contains(a.alarm_actions, aws_sns_topic.notifications.arn) && contains(a.ok_actions, aws_sns_topic.notifications.arn)])
    error_message = "Every alarm must notify the topic when it fires and when it recovers."
  }
  assert {
    condition     = aws_sns_topic.notifications.kms_master_key_id == aws_kms_key.environment_key.arn
    error_message = "The topic must be encrypted with the environment's customer-managed key (CloudWatch alarms cannot use the AWS-managed SNS key)."
  }
  assert {
    condition     = aws_ssm_parameter.release_parameters_ecr_repository_url.value == aws_ecr_repository.artifacts_repository.repository_url
    error_message = "The ECR URL parameter must hold the repository URL."
  }
  assert {
    condition     = aws_cloudwatch_log_group.cloudwatch_agent_application_logs.kms_key_id == aws_kms_key.environment_key.arn
    error_message = "Log groups must be encrypted with the environment key."
  }
  assert {
    condition     = alltrue([for a in [aws_cloudwatch_metric_alarm.alarms_memory_high, aws_cloudwatch_metric_alarm.alarms_disk_high, aws_cloudwatch_metric_alarm.alarms_latency_p95, aws_cloudwatch_metric_alarm.alarms_latency_p99] : contains(a.alarm_actions, aws_sns_topic.notifications.arn) && contains(a.ok_actions, aws_sns_topic.notifications.arn)])
    error_message = "Memory, disk and latency alarms must notify the topic."
  }
  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.dashboard.dashboard_body).widgets) >= 7 && contains([for w in jsondecode(aws_cloudwatch_dashboard.dashboard.dashboard_body).widgets : w.type], "alarm")
    error_message = "The environment's dashboard must be valid JSON with its metric widgets and the deployment alarms' state."
  }

}
