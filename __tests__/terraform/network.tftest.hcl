# Every stack that owns a VPC (environments in dedicated mode, the shared load balancer stack).
# requires: aws_vpc.network_vpc aws_subnet.network_public_0 aws_subnet.network_public_1 aws_default_security_group.network_default

run "plan_network" {
  command = plan

  assert {
    condition     = aws_vpc.network_vpc.enable_dns_support && aws_vpc.network_vpc.enable_dns_hostnames
    error_message = "The VPC must resolve DNS names (needed by SSM, CodeDeploy and interface endpoints)."
  }
  assert {
    condition     = aws_subnet.network_public_0.cidr_block == cidrsubnet(aws_vpc.network_vpc.cidr_block, 4, 0) && aws_subnet.network_public_1.cidr_block == cidrsubnet(aws_vpc.network_vpc.cidr_block, 4, 1)
    error_message = "Public subnets must take the first /+4 slots of the VPC block."
  }
  assert {
    condition     = aws_subnet.network_public_0.availability_zone != aws_subnet.network_public_1.availability_zone
    error_message = "Public subnets must be spread over distinct availability zones."
  }
  assert {
    condition     = !aws_subnet.network_public_0.map_public_ip_on_launch && !aws_subnet.network_public_1.map_public_ip_on_launch
    error_message = "Subnets must not hand out public IPs by default."
  }
  assert {
    condition     = aws_route.network_public_internet.destination_cidr_block == "0.0.0.0/0"
    error_message = "The public route table must route to the internet gateway."
  }
}

run "apply_network" {
  command = apply

  assert {
    condition     = output.vpc_id == aws_vpc.network_vpc.id
    error_message = "vpc_id output must be the VPC's id."
  }
  assert {
    condition     = output.public_subnet_ids[0] == aws_subnet.network_public_0.id && output.public_subnet_ids[1] == aws_subnet.network_public_1.id
    error_message = "public_subnet_ids must list the public subnets in zone order."
  }
  assert {
    condition     = aws_default_security_group.network_default.vpc_id == aws_vpc.network_vpc.id
    error_message = "The VPC's default security group must be adopted (which empties it)."
  }
  assert {
    condition     = aws_route.network_public_internet.gateway_id == aws_internet_gateway.network_igw.id
    error_message = "The internet route must use the VPC's internet gateway."
  }
}
