# Stacks whose network records VPC flow logs.
# requires: aws_flow_log.network_flow_log aws_cloudwatch_log_group.network_flow_logs

run "apply_flow_logs" {
  command = apply

  assert {
    condition     = aws_flow_log.network_flow_log.vpc_id == aws_vpc.network_vpc.id
    error_message = "Flow logs must record the stack's VPC."
  }
  assert {
    condition     = aws_flow_log.network_flow_log.log_destination == aws_cloudwatch_log_group.network_flow_logs.arn
    error_message = "Flow logs must go to the flow log group."
  }
  assert {
    condition     = aws_cloudwatch_log_group.network_flow_logs.retention_in_days > 0 && startswith(aws_cloudwatch_log_group.network_flow_logs.kms_key_id, "arn:aws:kms:")
    error_message = "The flow log group must have a retention period and a customer-managed key."
  }
  assert {
    condition     = aws_flow_log.network_flow_log.iam_role_arn == aws_iam_role.network_flow_logs_role.arn
    error_message = "Flow logs must use their own role."
  }
}
