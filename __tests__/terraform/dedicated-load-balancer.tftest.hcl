# Environments with a load balancer of their own.
# requires: aws_lb.load_balancer_alb aws_lb_listener.load_balancer_http aws_lb_target_group.target_group aws_vpc_security_group_ingress_rule.network_instances_app_from_network_alb

run "plan_load_balancer" {
  command = plan

  assert {
    condition     = aws_lb.load_balancer_alb.drop_invalid_header_fields && !aws_lb.load_balancer_alb.internal && aws_lb.load_balancer_alb.load_balancer_type == "application"
    error_message = "An internet-facing ALB that drops invalid header fields."
  }
  assert {
    condition     = aws_lb.load_balancer_alb.access_logs[0].enabled
    error_message = "Access logs must be on."
  }
  assert {
    condition     = startswith(aws_lb_target_group.target_group.health_check[0].path, "/") && aws_lb_target_group.target_group.health_check[0].enabled
    error_message = "The target group must check health on a path."
  }
  assert {
    condition     = aws_lb_target_group.target_group.deregistration_delay == "30" || tonumber(aws_lb_target_group.target_group.deregistration_delay) <= 300
    error_message = "Deregistration must be short so deployments do not stall."
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.network_instances_app_from_network_alb.from_port == aws_lb_target_group.target_group.port && aws_vpc_security_group_ingress_rule.network_instances_app_from_network_alb.to_port == aws_lb_target_group.target_group.port
    error_message = "Instances must admit exactly the target port from the load balancer."
  }
}

run "apply_load_balancer" {
  command = apply

  assert {
    condition     = aws_lb.load_balancer_alb.access_logs[0].bucket == aws_s3_bucket.load_balancer_logs.bucket
    error_message = "Access logs must go to the load balancer's log bucket."
  }
  assert {
    condition     = one([for r in aws_s3_bucket_server_side_encryption_configuration.load_balancer_logs.rule : r.apply_server_side_encryption_by_default[0].sse_algorithm]) == "AES256"
    error_message = "The access log bucket must use SSE-S3 (the only encryption ALB log delivery supports)."
  }
  assert {
    condition     = output.alb_dns_name == aws_lb.load_balancer_alb.dns_name
    error_message = "alb_dns_name output must be the ALB's DNS name."
  }
}
