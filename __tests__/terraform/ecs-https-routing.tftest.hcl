# ECS environments serving on HTTPS: no default target group, a 404 for paths no service claims.
# requires: aws_ecs_cluster.cluster aws_lb_listener.load_balancer_https aws_lb_listener_rule.service_api_target_group_path

run "plan_ecs_https_routing" {
  command = plan

  assert {
    condition     = aws_lb_listener.load_balancer_https.default_action[0].type == "fixed-response" && aws_lb_listener.load_balancer_https.default_action[0].fixed_response[0].status_code == "404"
    error_message = "Requests no service's path matches get a plain 404."
  }
}

run "apply_ecs_https_routing" {
  command = apply

  assert {
    condition     = aws_lb_listener_rule.service_api_target_group_path.listener_arn == aws_lb_listener.load_balancer_https.arn
    error_message = "Path rules belong on the serving listener."
  }
}
