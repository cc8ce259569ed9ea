# The shared load balancer stack: ALB and VPC, no fleet.
# requires: aws_lb.load_balancer_alb aws_lb_listener.load_balancer_http
# excludes: aws_autoscaling_group.fleet_asg aws_ecs_cluster.cluster

run "plan_shared_load_balancer" {
  command = plan

  assert {
    condition     = alltrue([for l in [aws_lb_listener.load_balancer_http] : l.default_action[0].type != "forward"])
    error_message = "The shared listeners forward nothing by default: environments add host rules."
  }
  assert {
    condition     = aws_lb.load_balancer_alb.drop_invalid_header_fields && aws_lb.load_balancer_alb.access_logs[0].enabled
    error_message = "The shared ALB drops invalid headers and logs access."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.alarms_alb_5xx.metric_name == "HTTPCode_ELB_5XX_Count" && length(aws_cloudwatch_metric_alarm.alarms_alb_5xx.dimensions) == 1
    error_message = "The shared stack alarms on the ALB's own 5xx (every environment's)."
  }
}

run "apply_shared_load_balancer" {
  command = apply

  assert {
    condition     = output.alb_security_group_id == aws_security_group.network_alb.id && output.alb_dns_name == aws_lb.load_balancer_alb.dns_name && output.alb_zone_id == aws_lb.load_balancer_alb.zone_id
    error_message = "The outputs environments read must describe this ALB."
  }
  assert {
    condition     = output.vpc_id == aws_vpc.network_vpc.id && output.vpc_cidr == aws_vpc.network_vpc.cidr_block
    error_message = "The outputs environments read must describe this VPC."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.alarms_alb_5xx.alarm_actions == toset([aws_sns_topic.notifications.arn]) && aws_sns_topic.notifications.kms_master_key_id == aws_kms_key.shared_key.arn && output.notification_topic_arn == aws_sns_topic.notifications.arn
    error_message = "The shared ALB's alarm goes to the shared stack's encrypted topic."
  }
}
