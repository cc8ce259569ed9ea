# Environments with CloudFront in front of their HTTPS load balancer.
# requires: aws_cloudfront_distribution.cdn_distribution data.aws_ec2_managed_prefix_list.cloudfront_origin_facing aws_vpc_security_group_ingress_rule.network_alb_https_from_cloudfront aws_lb_listener_rule.load_balancer_required_header aws_lb_listener.load_balancer_https

run "plan_cdn" {
  command = plan

  assert {
    condition     = aws_cloudfront_distribution.cdn_distribution.default_cache_behavior[0].viewer_protocol_policy == "redirect-to-https"
    error_message = "Viewers must be moved to HTTPS."
  }
  assert {
    condition     = aws_cloudfront_distribution.cdn_distribution.default_cache_behavior[0].cache_policy_id == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    error_message = "A dynamic application is not cached by default (managed CachingDisabled policy)."
  }
  assert {
    condition     = alltrue([for v in aws_cloudfront_distribution.cdn_distribution.viewer_certificate : coalesce(v.cloudfront_default_certificate, false) || v.minimum_protocol_version == "TLSv1.2_2021"])
    error_message = "A custom certificate must require TLS 1.2."
  }
  assert {
    condition     = alltrue([for o in aws_cloudfront_distribution.cdn_distribution.origin : o.custom_origin_config[0].origin_ssl_protocols == toset(["TLSv1.2"])])
    error_message = "CloudFront must speak TLS 1.2 to the origin."
  }
}

run "apply_cdn" {
  command = apply

  assert {
    condition     = aws_vpc_security_group_ingress_rule.network_alb_https_from_cloudfront.prefix_list_id == data.aws_ec2_managed_prefix_list.cloudfront_origin_facing.id && aws_vpc_security_group_ingress_rule.network_alb_https_from_cloudfront.from_port == 443
    error_message = "Only CloudFront's origin-facing servers may reach the load balancer, on 443."
  }
  assert {
    condition     = one(aws_cloudfront_distribution.cdn_distribution.origin[*].custom_origin_config[0].origin_protocol_policy) == "https-only"
    error_message = "CloudFront must reach an HTTPS load balancer over HTTPS."
  }
  assert {
    condition     = output.cloudfront_domain_name == aws_cloudfront_distribution.cdn_distribution.domain_name
    error_message = "cloudfront_domain_name output must be the distribution's domain."
  }
  assert {
    condition     = one(aws_lb_listener.load_balancer_https.default_action[*].fixed_response[0].status_code) == "403" && one(aws_lb_listener_rule.load_balancer_required_header.action[*].target_group_arn) == aws_lb_target_group.target_group.arn
    error_message = "The load balancer refuses requests without the origin header and forwards those with it."
  }
  assert {
    condition     = nonsensitive(one(one(aws_cloudfront_distribution.cdn_distribution.origin[*].custom_header)[*].value) == one(one(one(aws_lb_listener_rule.load_balancer_required_header.condition[*].http_header)[*].values)))
    error_message = "CloudFront must send the very value the listener rule checks."
  }
  assert {
    condition     = nonsensitive(length(one(one(one(aws_lb_listener_rule.load_balancer_required_header.condition[*].http_header)[*].values))) == 64)
    error_message = "The secret is a 64-digit SHA-256 (an ALB condition value has at most 128 characters)."
  }
}
