# Runs against every environment stack: network, encryption key and artifact store.
# requires: aws_vpc.network_vpc aws_s3_bucket.artifacts_bucket aws_ecr_repository.artifacts_repository aws_kms_key.environment_key

run "plan_network" {
  command = plan

  assert {
    condition     = aws_vpc.network_vpc.enable_dns_support && aws_vpc.network_vpc.enable_dns_hostnames
    error_message = "The VPC must resolve DNS names (needed by interface endpoints, SSM and CodeDeploy)."
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
  assert {
    condition     = aws_vpc_security_group_ingress_rule.network_instances_app_from_network_alb.from_port == aws_vpc_security_group_ingress_rule.network_instances_app_from_network_alb.to_port
    error_message = "Instances must admit exactly one port (the app port) from the load balancer."
  }
}

run "plan_artifact_store" {
  command = plan

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.artifacts_bucket.block_public_acls,
      aws_s3_bucket_public_access_block.artifacts_bucket.block_public_policy,
      aws_s3_bucket_public_access_block.artifacts_bucket.ignore_public_acls,
      aws_s3_bucket_public_access_block.artifacts_bucket.restrict_public_buckets,
    ])
    error_message = "The artifact bucket must set all four public access block flags."
  }
  assert {
    condition     = aws_s3_bucket_versioning.artifacts_bucket.versioning_configuration[0].status == "Enabled"
    error_message = "The artifact bucket must be versioned."
  }
  assert {
    condition     = one([for r in aws_s3_bucket_server_side_encryption_configuration.artifacts_bucket.rule : r.apply_server_side_encryption_by_default[0].sse_algorithm]) == "aws:kms"
    error_message = "The artifact bucket must use SSE-KMS."
  }
  assert {
    condition     = contains([for r in aws_s3_bucket_lifecycle_configuration.artifacts_bucket.rule : r.id], "expire-artifacts")
    error_message = "The artifact bucket must expire old artifacts."
  }
  assert {
    condition     = aws_ecr_repository.artifacts_repository.image_scanning_configuration[0].scan_on_push
    error_message = "The ECR repository must scan on push."
  }
  assert {
    condition     = aws_ecr_repository.artifacts_repository.encryption_configuration[0].encryption_type == "KMS"
    error_message = "The ECR repository must be encrypted with the environment key."
  }
  assert {
    condition     = aws_kms_key.environment_key.enable_key_rotation
    error_message = "The environment key must rotate."
  }
}

run "apply_wires_outputs" {
  command = apply

  assert {
    condition     = output.vpc_id == aws_vpc.network_vpc.id
    error_message = "vpc_id output must be the VPC's id."
  }
  assert {
    condition     = output.public_subnet_ids == [aws_subnet.network_public_0.id, aws_subnet.network_public_1.id] || length(output.public_subnet_ids) > 2
    error_message = "public_subnet_ids must list the public subnets in zone order."
  }
  assert {
    condition     = output.artifact_bucket_name == aws_s3_bucket.artifacts_bucket.bucket
    error_message = "artifact_bucket_name output must be the bucket's name."
  }
  assert {
    condition     = output.ecr_repository_url == aws_ecr_repository.artifacts_repository.repository_url
    error_message = "ecr_repository_url output must be the repository URL."
  }
  assert {
    condition     = one([for r in aws_s3_bucket_server_side_encryption_configuration.artifacts_bucket.rule : r.apply_server_side_encryption_by_default[0].kms_master_key_id]) == aws_kms_key.environment_key.arn
    error_message = "The artifact bucket must be encrypted with the environment key."
  }
  assert {
    condition     = aws_default_security_group.network_default.vpc_id == aws_vpc.network_vpc.id
    error_message = "The VPC's default security group must be adopted (which empties it)."
  }
  assert {
    condition     = aws_s3_bucket_policy.artifacts_bucket.bucket == aws_s3_bucket.artifacts_bucket.id
    error_message = "The TLS-only policy must be attached to the artifact bucket."
  }
}
