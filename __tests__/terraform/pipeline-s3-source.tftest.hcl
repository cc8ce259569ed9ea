# Pipelines whose source is an object in the environment bucket (pipeline.source.provider: s3).
# requires: aws_codepipeline.pipeline aws_s3_bucket_notification.artifacts_bucket_notification

run "apply_s3_source" {
  command = apply

  assert {
    condition     = aws_codepipeline.pipeline.stage[0].action[0].provider == "S3" && aws_codepipeline.pipeline.stage[0].action[0].configuration["S3Bucket"] == aws_s3_bucket.artifacts_bucket.bucket
    error_message = "The source object lives in the environment's artifact bucket."
  }
  assert {
    condition     = aws_s3_bucket_notification.artifacts_bucket_notification.bucket == aws_s3_bucket.artifacts_bucket.id && aws_s3_bucket_notification.artifacts_bucket_notification.eventbridge
    error_message = "The bucket must send its events to EventBridge, or a new source object starts nothing."
  }
  assert {
    condition     = output.pipeline_source_location == "s3://${aws_s3_bucket.artifacts_bucket.bucket}/${aws_codepipeline.pipeline.stage[0].action[0].configuration["S3ObjectKey"]}"
    error_message = "The output must say where to upload a release."
  }
}
