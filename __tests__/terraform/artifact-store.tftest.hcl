# Every environment stack: encryption key and artifact store.
# requires: aws_s3_bucket.artifacts_bucket aws_ecr_repository.artifacts_repository aws_kms_key.environment_key

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

run "apply_artifact_store" {
  command = apply

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
    condition     = aws_s3_bucket_policy.artifacts_bucket.bucket == aws_s3_bucket.artifacts_bucket.id
    error_message = "The TLS-only policy must be attached to the artifact bucket."
  }
}
