# Fleet environments: the load balancer's target is Nginx on port 80 of each instance, which proxies
# to the application port; the CodeDeploy agent starts last, without user data waiting for it.
# requires: aws_lb_target_group.target_group aws_launch_template.fleet_template

run "plan_fleet_proxy" {
  command = plan

  assert {
    condition     = aws_lb_target_group.target_group.port == 80 && endswith(aws_lb_target_group.target_group.name, "-80") && aws_lb_target_group.target_group.health_check[0].port == "traffic-port"
    error_message = "The target group forwards to Nginx on port 80, and health checks go there too."
  }
  assert {
    condition     = strcontains(base64decode(aws_launch_template.fleet_template.user_data), "listen 80 default_server;") && strcontains(base64decode(aws_launch_template.fleet_template.user_data), "proxy_pass http://127.0.0.1:")
    error_message = "User data configures Nginx on port 80 in front of the application."
  }
  assert {
    condition     = !strcontains(base64decode(aws_launch_template.fleet_template.user_data), "enable --now codedeploy-agent") && length(regexall("(?m)^systemctl (start|restart) codedeploy-agent", base64decode(aws_launch_template.fleet_template.user_data))) == 0
    error_message = "User data runs inside cloud-final.service and the agent is ordered after it: it must never wait for the agent to start."
  }
}
