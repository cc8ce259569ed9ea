# ECS environments with ecs.exec.enabled (staging of config/examples/ecs.yaml): ECS Exec instead of SSH,
# sessions encrypted with a key of their own and logged (OVERRIDE) to an encrypted group.
# requires: aws_ecs_cluster.cluster aws_kms_key.cluster_exec_key aws_cloudwatch_log_group.cluster_exec_logs aws_iam_policy.cluster_exec_operator aws_ecs_service.service_api

run "plan_ecs_exec" {
  command = plan

  assert {
    condition     = aws_ecs_cluster.cluster.configuration[0].execute_command_configuration[0].logging == "OVERRIDE" && aws_ecs_cluster.cluster.configuration[0].execute_command_configuration[0].log_configuration[0].cloud_watch_encryption_enabled == true
    error_message = "ECS Exec sessions must be logged to the cluster's own destination, which must be encrypted."
  }
  assert {
    condition     = aws_ecs_cluster.cluster.configuration[0].execute_command_configuration[0].log_configuration[0].cloud_watch_log_group_name == aws_cloudwatch_log_group.cluster_exec_logs.name && aws_cloudwatch_log_group.cluster_exec_logs.retention_in_days > 0
    error_message = "Sessions go to the exec log group, which keeps them for a bounded time."
  }
  assert {
    condition     = aws_kms_key.cluster_exec_key.enable_key_rotation == true
    error_message = "The session key rotates."
  }
  assert {
    condition     = aws_ecs_service.service_api.enable_execute_command == true
    error_message = "Services of an exec-enabled environment turn execute command on."
  }
  assert {
    condition     = output.ecs_exec_log_group_name == aws_cloudwatch_log_group.cluster_exec_logs.name
    error_message = "The output names the session log group."
  }
}

run "apply_ecs_exec" {
  command = apply

  assert {
    condition     = aws_ecs_cluster.cluster.configuration[0].execute_command_configuration[0].kms_key_id == aws_kms_key.cluster_exec_key.arn && aws_cloudwatch_log_group.cluster_exec_logs.kms_key_id != null && aws_cloudwatch_log_group.cluster_exec_logs.kms_key_id != ""
    error_message = "Sessions are encrypted with the exec key; the session log group with a customer-managed key."
  }
  assert {
    condition     = output.ecs_exec_operator_policy_arn == aws_iam_policy.cluster_exec_operator.arn
    error_message = "The output names the operators' policy."
  }
}
