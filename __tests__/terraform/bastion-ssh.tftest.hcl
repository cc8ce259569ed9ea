# Bastions reached over SSH from a configured CIDR (config/examples/bastion-rds-frontend.yaml, staging).
# requires: aws_instance.bastion aws_key_pair.bastion aws_vpc_security_group_ingress_rule.network_bastion_ssh_from_203_0_113_0_24

run "plan_bastion_ssh" {
  command = plan

  assert {
    condition     = aws_vpc_security_group_ingress_rule.network_bastion_ssh_from_203_0_113_0_24.cidr_ipv4 == "203.0.113.0/24" && aws_vpc_security_group_ingress_rule.network_bastion_ssh_from_203_0_113_0_24.from_port == 22 && aws_vpc_security_group_ingress_rule.network_bastion_ssh_from_203_0_113_0_24.to_port == 22 && aws_vpc_security_group_ingress_rule.network_bastion_ssh_from_203_0_113_0_24.ip_protocol == "tcp"
    error_message = "SSH must be admitted on 22/tcp from the configured CIDR only."
  }
  assert {
    condition     = aws_instance.bastion.associate_public_ip_address
    error_message = "A bastion reached over SSH needs a public address."
  }
}

run "apply_bastion_ssh" {
  command = apply

  assert {
    condition     = aws_vpc_security_group_ingress_rule.network_bastion_ssh_from_203_0_113_0_24.security_group_id == aws_security_group.network_bastion.id
    error_message = "The SSH rule belongs to the bastion's group."
  }
  assert {
    condition     = aws_instance.bastion.subnet_id == aws_subnet.network_public_0.id && aws_instance.bastion.key_name == aws_key_pair.bastion.key_name
    error_message = "An SSH bastion sits in the first public subnet with the configured key pair."
  }
  assert {
    condition     = output.bastion_public_ip == aws_instance.bastion.public_ip
    error_message = "bastion_public_ip output must be the instance's public address."
  }
}
