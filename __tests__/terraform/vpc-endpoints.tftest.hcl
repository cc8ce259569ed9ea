# VPCs with interface endpoints (network.endpoints.interface), besides the default S3 gateway endpoint.
# requires: aws_vpc_endpoint.network_s3 aws_vpc_endpoint.network_endpoint_ssm aws_security_group.network_endpoints

run "plan_vpc_endpoints" {
  command = plan

  assert {
    condition     = aws_vpc_endpoint.network_s3.vpc_endpoint_type == "Gateway" && endswith(aws_vpc_endpoint.network_s3.service_name, ".s3")
    error_message = "S3 is reached through the (free) gateway endpoint."
  }
  assert {
    condition     = aws_vpc_endpoint.network_endpoint_ssm.vpc_endpoint_type == "Interface" && aws_vpc_endpoint.network_endpoint_ssm.private_dns_enabled
    error_message = "Interface endpoints need private DNS, or the SDKs keep using the public endpoints through NAT."
  }
  assert {
    condition     = startswith(aws_vpc_endpoint.network_endpoint_ssm.service_name, "com.amazonaws.") && endswith(aws_vpc_endpoint.network_endpoint_ssm.service_name, ".ssm")
    error_message = "Endpoint services are named com.amazonaws.<region>.<service>."
  }
}
