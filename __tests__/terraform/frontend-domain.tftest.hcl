# Front ends with a custom domain, certificate and Route53 aliases.
# requires: aws_cloudfront_distribution.frontend_cdn_distribution aws_route53_record.frontend_dns_a aws_route53_record.frontend_dns_aaaa

run "plan_frontend_domain" {
  command = plan

  assert {
    condition     = one(aws_cloudfront_distribution.frontend_cdn_distribution.viewer_certificate[*].minimum_protocol_version) == "TLSv1.2_2021" && one(aws_cloudfront_distribution.frontend_cdn_distribution.viewer_certificate[*].ssl_support_method) == "sni-only"
    error_message = "A custom certificate must require TLS 1.2 (SNI)."
  }
  assert {
    condition     = contains(aws_cloudfront_distribution.frontend_cdn_distribution.aliases, aws_route53_record.frontend_dns_a.name) && aws_route53_record.frontend_dns_a.name == aws_route53_record.frontend_dns_aaaa.name
    error_message = "The A and AAAA records publish the distribution's alias."
  }
}

run "apply_frontend_domain" {
  command = apply

  assert {
    condition     = one(aws_route53_record.frontend_dns_a.alias[*].name) == aws_cloudfront_distribution.frontend_cdn_distribution.domain_name && one(aws_route53_record.frontend_dns_aaaa.alias[*].zone_id) == aws_cloudfront_distribution.frontend_cdn_distribution.hosted_zone_id
    error_message = "The records must alias the distribution."
  }
  assert {
    condition     = output.frontend_url == "https://${aws_route53_record.frontend_dns_a.name}"
    error_message = "frontend_url must be the custom domain over HTTPS."
  }
}
