# Pipelines with a CodeCommit or S3 source: an EventBridge rule starts them (no polling).
# requires: aws_codepipeline.pipeline aws_cloudwatch_event_rule.pipeline_source_change aws_cloudwatch_event_target.pipeline_source_change

run "plan_source_events" {
  command = plan

  assert {
    condition     = contains(["CodeCommit", "S3"], aws_codepipeline.pipeline.stage[0].action[0].provider) && aws_codepipeline.pipeline.stage[0].action[0].configuration["PollForSourceChanges"] == "false"
    error_message = "Event-started sources must not also poll."
  }
  assert {
    condition = (
      aws_codepipeline.pipeline.stage[0].action[0].provider == "CodeCommit"
      ? jsondecode(aws_cloudwatch_event_rule.pipeline_source_change.event_pattern).detail.referenceName == [aws_codepipeline.pipeline.stage[0].action[0].configuration["BranchName"]]
      : jsondecode(aws_cloudwatch_event_rule.pipeline_source_change.event_pattern).detail.object.key == [aws_codepipeline.pipeline.stage[0].action[0].configuration["S3ObjectKey"]]
    )
    error_message = "The rule must match the pipeline's branch or source object only."
  }
}

run "apply_source_events" {
  command = apply

  assert {
    condition     = aws_cloudwatch_event_target.pipeline_source_change.arn == aws_codepipeline.pipeline.arn && aws_cloudwatch_event_target.pipeline_source_change.role_arn == aws_iam_role.pipeline_events_role.arn
    error_message = "The rule must start this pipeline with its own role."
  }
}
