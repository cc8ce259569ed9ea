# Environments with a pipeline (pipeline.enabled, the default).
# requires: aws_codepipeline.pipeline aws_iam_role.pipeline_role

run "plan_pipeline" {
  command = plan

  assert {
    condition     = aws_codepipeline.pipeline.pipeline_type == "V2"
    error_message = "The pipeline must be V2 (triggers, per-run variables, superseded runs)."
  }
  assert {
    condition     = aws_codepipeline.pipeline.stage[0].name == "Source" && aws_codepipeline.pipeline.stage[1].name == "Build" && aws_codepipeline.pipeline.stage[length(aws_codepipeline.pipeline.stage) - 1].name == "Deploy"
    error_message = "Stages run source, build, (approval), deploy."
  }
  assert {
    condition     = alltrue([for s in slice(aws_codepipeline.pipeline.stage, 2, length(aws_codepipeline.pipeline.stage) - 1) : s.action[0].category == "Approval" && s.action[0].provider == "Manual"])
    error_message = "The only stage between build and deploy is a manual approval."
  }
  assert {
    condition     = aws_codepipeline.pipeline.stage[1].action[0].configuration["ProjectName"] == aws_codebuild_project.build_project.name
    error_message = "The build stage runs the environment's CodeBuild project."
  }
  assert {
    condition = (
      aws_codepipeline.pipeline.stage[length(aws_codepipeline.pipeline.stage) - 1].action[0].provider == "CodeDeploy" &&
      aws_codepipeline.pipeline.stage[length(aws_codepipeline.pipeline.stage) - 1].action[0].configuration["ApplicationName"] == aws_codedeploy_app.codedeploy_application.name &&
      aws_codepipeline.pipeline.stage[length(aws_codepipeline.pipeline.stage) - 1].action[0].configuration["DeploymentGroupName"] == aws_codedeploy_deployment_group.deployment_group.deployment_group_name
    )
    error_message = "The deploy stage deploys the build output to the environment's deployment group."
  }
  assert {
    # (Terraform's || evaluates both sides; a conditional guards the index.)
    condition = (
      aws_codepipeline.pipeline.stage[0].action[0].provider == "CodeStarSourceConnection"
      ? (aws_codepipeline.pipeline.trigger[0].git_configuration[0].push[0].branches[0].includes == tolist([aws_codepipeline.pipeline.stage[0].action[0].configuration["BranchName"]]) &&
      aws_codepipeline.pipeline.stage[0].action[0].configuration["DetectChanges"] == "false")
      : length(aws_codepipeline.pipeline.trigger) == 0
    )
    error_message = "A connection source is started by the V2 push trigger on its branch only (no second start by change detection)."
  }
}

run "apply_pipeline" {
  command = apply

  assert {
    condition     = aws_codepipeline.pipeline.role_arn == aws_iam_role.pipeline_role.arn
    error_message = "The pipeline must run under its own role."
  }
  assert {
    condition     = one([for s in aws_codepipeline.pipeline.artifact_store : s.location == aws_s3_bucket.artifacts_bucket.bucket && s.encryption_key[0].id == aws_kms_key.environment_key.arn && s.encryption_key[0].type == "KMS"])
    error_message = "Artifacts are stored in the environment bucket, encrypted with the environment key."
  }
  assert {
    condition     = output.pipeline_name == aws_codepipeline.pipeline.name
    error_message = "The pipeline_name output must name the pipeline."
  }
}
