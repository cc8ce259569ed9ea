# Host stacks with host.hostName: an A record to the Elastic IP.
# requires: aws_route53_record.dns_a aws_eip.host_eip

run "apply_dns_record" {
  command = apply

  assert {
    condition     = aws_route53_record.dns_a.type == "A" && aws_route53_record.dns_a.records == toset([aws_eip.host_eip.public_ip]) && aws_route53_record.dns_a.ttl > 0
    error_message = "The host name must be an A record to the Elastic IP."
  }
  assert {
    condition     = output.host_name == aws_route53_record.dns_a.fqdn
    error_message = "The host name must be an output."
  }
}
