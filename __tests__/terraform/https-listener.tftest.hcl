# Load balancers with a certificate: HTTPS serves, HTTP only redirects.
# requires: aws_lb_listener.load_balancer_https aws_lb_listener.load_balancer_http

run "plan_https" {
  command = plan

  assert {
    condition     = aws_lb_listener.load_balancer_http.default_action[0].type == "redirect" && aws_lb_listener.load_balancer_http.default_action[0].redirect[0].protocol == "HTTPS" && aws_lb_listener.load_balancer_http.default_action[0].redirect[0].port == "443" && aws_lb_listener.load_balancer_http.default_action[0].redirect[0].status_code == "HTTP_301"
    error_message = "HTTP must redirect permanently to HTTPS."
  }
  assert {
    condition     = aws_lb_listener.load_balancer_https.protocol == "HTTPS" && aws_lb_listener.load_balancer_https.port == 443 && startswith(aws_lb_listener.load_balancer_https.ssl_policy, "ELBSecurityPolicy-")
    error_message = "The HTTPS listener must use an ELB TLS policy."
  }
  assert {
    condition     = can(regex("TLS13|TLS-1-2|FS-1-2", aws_lb_listener.load_balancer_https.ssl_policy))
    error_message = "The TLS policy must allow TLS 1.2 or later only."
  }
  assert {
    condition     = startswith(aws_lb_listener.load_balancer_https.certificate_arn, "arn:aws:acm:")
    error_message = "The HTTPS listener must use an ACM certificate."
  }
}
