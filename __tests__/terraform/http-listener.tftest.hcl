# Load balancers without a certificate: HTTP serves.
# requires: aws_lb_listener.load_balancer_http
# excludes: aws_lb_listener.load_balancer_https

run "plan_http" {
  command = plan

  assert {
    condition     = aws_lb_listener.load_balancer_http.port == 80 && aws_lb_listener.load_balancer_http.protocol == "HTTP"
    error_message = "Without a certificate the load balancer serves HTTP on 80."
  }
  assert {
    condition     = contains(["forward", "fixed-response"], aws_lb_listener.load_balancer_http.default_action[0].type)
    error_message = "Without HTTPS, port 80 serves (forwards, or answers 404 on a shared load balancer)."
  }
}
