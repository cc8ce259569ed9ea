# A bastion and a database: the bastion reaches the database port, and only that, through the groups.
# requires: aws_instance.bastion aws_db_instance.database aws_vpc_security_group_ingress_rule.network_database_db_from_network_bastion aws_vpc_security_group_egress_rule.network_bastion_db_to_network_database

run "apply_bastion_database" {
  command = apply

  assert {
    condition     = aws_vpc_security_group_ingress_rule.network_database_db_from_network_bastion.security_group_id == aws_security_group.network_database.id && aws_vpc_security_group_ingress_rule.network_database_db_from_network_bastion.referenced_security_group_id == aws_security_group.network_bastion.id
    error_message = "The database group must admit the bastion's group."
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.network_database_db_from_network_bastion.from_port == aws_db_instance.database.port && aws_vpc_security_group_ingress_rule.network_database_db_from_network_bastion.to_port == aws_db_instance.database.port
    error_message = "The bastion reaches the database on its port only."
  }
  assert {
    condition     = aws_vpc_security_group_egress_rule.network_bastion_db_to_network_database.referenced_security_group_id == aws_security_group.network_database.id && aws_vpc_security_group_egress_rule.network_bastion_db_to_network_database.from_port == aws_db_instance.database.port
    error_message = "The bastion may leave towards the database group on its port."
  }
}
