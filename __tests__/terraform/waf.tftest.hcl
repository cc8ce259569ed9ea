# Environments (or the shared load balancer stack) with AWS WAF: on the ALB or on CloudFront.
# requires: aws_wafv2_web_acl.waf aws_wafv2_web_acl_logging_configuration.waf aws_cloudwatch_log_group.waf_logs

run "plan_waf" {
  command = plan

  assert {
    condition     = startswith(aws_cloudwatch_log_group.waf_logs.name, "aws-waf-logs-") && aws_cloudwatch_log_group.waf_logs.retention_in_days > 0
    error_message = "WAF only logs to CloudWatch Logs groups named aws-waf-logs-*, kept for a bounded time."
  }
  assert {
    condition     = contains([for f in aws_wafv2_web_acl_logging_configuration.waf.redacted_fields : one(f.single_header[*].name)], "authorization")
    error_message = "WAF logs must not carry the authorization header."
  }
  assert {
    condition     = one(aws_wafv2_web_acl.waf.default_action[*].allow) != null && length(aws_wafv2_web_acl.waf.rule) == 4
    error_message = "The web ACL allows by default and runs the rate rule and the three managed groups."
  }
  assert {
    condition     = alltrue([for r in aws_wafv2_web_acl.waf.rule : one(r.visibility_config[*].cloudwatch_metrics_enabled) && one(r.visibility_config[*].sampled_requests_enabled)])
    error_message = "Every rule publishes metrics and sampled requests."
  }
  assert {
    condition     = contains(["REGIONAL", "CLOUDFRONT"], aws_wafv2_web_acl.waf.scope)
    error_message = "The web ACL protects an ALB (REGIONAL) or a distribution (CLOUDFRONT)."
  }
}
