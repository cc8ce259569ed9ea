# Environments with an RDS database (database.enabled).
# requires: aws_db_instance.database aws_db_subnet_group.database aws_db_parameter_group.database aws_security_group.network_database

run "plan_database" {
  command = plan

  assert {
    condition     = aws_db_instance.database.storage_encrypted && !aws_db_instance.database.publicly_accessible
    error_message = "The database must be encrypted and not publicly accessible."
  }
  assert {
    condition     = aws_db_instance.database.manage_master_user_password && aws_db_instance.database.password == null
    error_message = "RDS must generate and keep the master password in Secrets Manager; no password in the configuration."
  }
  assert {
    condition     = aws_db_instance.database.deletion_protection == !aws_db_instance.database.skip_final_snapshot
    error_message = "Deletion protection and the final snapshot follow the environment's protection together."
  }
  assert {
    condition     = aws_db_instance.database.backup_retention_period >= 1 && aws_db_instance.database.copy_tags_to_snapshot && aws_db_instance.database.auto_minor_version_upgrade
    error_message = "Backups, tags on snapshots and minor version upgrades must be on."
  }
  assert {
    condition     = anytrue([for p in aws_db_parameter_group.database.parameter : (p.name == "rds.force_ssl" || p.name == "require_secure_transport") && p.value == "1"])
    error_message = "The parameter group must refuse unencrypted connections."
  }
  assert {
    condition     = length(aws_db_instance.database.enabled_cloudwatch_logs_exports) > 0
    error_message = "Engine logs must be exported to CloudWatch Logs."
  }
}

run "apply_database" {
  command = apply

  assert {
    condition     = aws_db_instance.database.kms_key_id == aws_kms_key.environment_key.arn && aws_db_instance.database.master_user_secret_kms_key_id == aws_kms_key.environment_key.arn
    error_message = "Storage and the master user secret must use the environment key."
  }
  assert {
    condition     = aws_db_instance.database.vpc_security_group_ids == toset([aws_security_group.network_database.id])
    error_message = "The database must be in the network's database group only."
  }
  assert {
    condition     = aws_db_subnet_group.database.subnet_ids == toset([for s in [aws_subnet.network_data_0, aws_subnet.network_data_1] : s.id]) || contains(aws_db_subnet_group.database.subnet_ids, aws_subnet.network_data_0.id)
    error_message = "The subnet group must be made of the isolated data subnets."
  }
  assert {
    condition     = aws_db_instance.database.parameter_group_name == aws_db_parameter_group.database.name && aws_db_instance.database.db_subnet_group_name == aws_db_subnet_group.database.name
    error_message = "The instance uses its TLS-only parameter group and its subnet group."
  }
  assert {
    condition     = output.database_master_secret_arn == aws_db_instance.database.master_user_secret[0].secret_arn && output.database_address == aws_db_instance.database.address
    error_message = "Outputs must expose the endpoint and the master user secret's ARN."
  }
}
