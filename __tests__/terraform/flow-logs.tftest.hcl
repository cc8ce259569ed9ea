# Runs against stacks whose network records VPC flow logs.
# requires: aws_flow_log.network_flow_log

run "apply_flow_logs" {
  command = apply

  assert {
    condition     = aws_flow_log.network_flow_log.vpc_id == aws_vpc.network_vpc.id
    error_message = "Flow logs must record the environment's VPC."
  }
  assert {
    condition     = aws_flow_log.network_flow_log.log_destination == aws_cloudwatch_log_group.network_flow_logs.arn
    error_message = "Flow logs must go to the flow log group."
  }
  assert {
    condition     = aws_cloudwatch_log_group.network_flow_logs.retention_in_days > 0 && aws_cloudwatch_log_group.network_flow_logs.kms_key_id == aws_kms_key.environment_key.arn
    error_message = "The flow log group must have a retention period and the environment key."
  }
  assert {
    condition     = aws_flow_log.network_flow_log.iam_role_arn == aws_iam_role.network_flow_logs_role.arn
    error_message = "Flow logs must use their own role."
  }
}
