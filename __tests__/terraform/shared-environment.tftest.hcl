# Environments attached to the shared load balancer (loadBalancer.mode: shared).
# requires: data.terraform_remote_state.shared aws_lb_listener_rule.target_group_host aws_route53_record.dns_a

run "plan_shared_attachment" {
  command = plan

  assert {
    condition     = aws_lb_listener_rule.target_group_host.listener_arn == "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/portal-shared-alb/50dc6c495c0c9188/f2f7dc8efc522ab2"
    error_message = "The host rule must go on the shared listener."
  }
  assert {
    condition     = aws_lb_listener_rule.target_group_host.priority >= 1 && aws_lb_listener_rule.target_group_host.priority <= 50000
    error_message = "The rule needs a valid, fixed priority."
  }
  assert {
    condition     = one(aws_lb_listener_rule.target_group_host.condition[*].host_header[0].values) == toset([aws_route53_record.dns_a.name])
    error_message = "The rule must match the environment's host name, which the alias record publishes."
  }
  assert {
    condition     = aws_lb_target_group.target_group.vpc_id == "vpc-0a1b2c3d4e5f60718" && aws_security_group.network_instances.vpc_id == "vpc-0a1b2c3d4e5f60718"
    error_message = "The target group and instances must live in the shared VPC."
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.network_instances_app_from_shared_alb.referenced_security_group_id == "sg-0123456789abcdef0"
    error_message = "Instances must admit the app port from the shared ALB's group only."
  }
  assert {
    condition     = aws_route53_record.dns_a.alias[0].name == "portal-shared-alb-123456789.eu-west-1.elb.amazonaws.com" && aws_route53_record.dns_a.alias[0].zone_id == "Z32O12XQLNTSW2"
    error_message = "The host name must alias the shared ALB."
  }
  assert {
    condition = (
      length(aws_codedeploy_deployment_group.deployment_group.alarm_configuration) == 0 ? true :
      aws_codedeploy_deployment_group.deployment_group.alarm_configuration[0].alarms == toset([
        aws_cloudwatch_metric_alarm.alarms_target_5xx.alarm_name, aws_cloudwatch_metric_alarm.alarms_unhealthy_hosts.alarm_name, aws_cloudwatch_metric_alarm.alarms_cpu_high.alarm_name,
      ])
    )
    error_message = "Only this environment's target group and fleet alarms may stop its deployments, never the shared ALB's own 5xx."
  }
  assert {
    condition     = aws_autoscaling_group.fleet_asg[0].vpc_zone_identifier == toset(["subnet-0bbb0000000000001", "subnet-0bbb0000000000002"])
    error_message = "The fleet must run in the shared VPC's private subnets."
  }
}

run "apply_shared_attachment" {
  command = apply

  assert {
    condition     = one(aws_lb_listener_rule.target_group_host.action[*].target_group_arn) == aws_lb_target_group.target_group.arn
    error_message = "The host rule must forward to the environment's target group."
  }
  # Asserted after apply: the target group's ARN suffix is known only then.
  assert {
    condition     = alltrue([for a in [aws_cloudwatch_metric_alarm.alarms_target_5xx, aws_cloudwatch_metric_alarm.alarms_unhealthy_hosts] : a.dimensions["LoadBalancer"] == "app/portal-shared-alb/50dc6c495c0c9188" && a.dimensions["TargetGroup"] == aws_lb_target_group.target_group.arn_suffix])
    error_message = "Traffic alarms must watch this environment's target group on the shared ALB."
  }
}
