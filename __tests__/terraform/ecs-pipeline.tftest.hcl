# ECS environments of config/examples/ecs.yaml: a pipeline per service, ending in the ECS deploy action.
# requires: aws_codepipeline.service_api_pipeline aws_codebuild_project.service_api_build_project aws_ecs_service.service_api

run "plan_ecs_pipeline" {
  command = plan

  assert {
    condition     = [for s in aws_codepipeline.service_api_pipeline.stage : s.name][0] == "Source" && [for s in aws_codepipeline.service_api_pipeline.stage : s.name][length(aws_codepipeline.service_api_pipeline.stage) - 1] == "Deploy"
    error_message = "The pipeline runs source first and deploy last."
  }
  assert {
    condition     = one([for s in aws_codepipeline.service_api_pipeline.stage : s.action[0] if s.name == "Deploy"]).provider == "ECS" && one([for s in aws_codepipeline.service_api_pipeline.stage : s.action[0] if s.name == "Deploy"]).configuration.FileName == "imagedefinitions.json"
    error_message = "The deploy stage is the ECS action reading imagedefinitions.json."
  }
  assert {
    condition     = aws_codebuild_project.service_api_build_project.environment[0].privileged_mode && strcontains(aws_codebuild_project.service_api_build_project.source[0].buildspec, "imagedefinitions.json")
    error_message = "The build runs Docker and writes imagedefinitions.json."
  }
  assert {
    condition     = anytrue([for v in aws_codebuild_project.service_api_build_project.environment[0].environment_variable : v.name == "CONTAINER_NAME" && v.value == "api"])
    error_message = "The build names the service's container in imagedefinitions.json."
  }
}

run "apply_ecs_pipeline" {
  command = apply

  assert {
    condition     = one([for s in aws_codepipeline.service_api_pipeline.stage : s.action[0] if s.name == "Deploy"]).configuration.ServiceName == aws_ecs_service.service_api.name && one([for s in aws_codepipeline.service_api_pipeline.stage : s.action[0] if s.name == "Deploy"]).configuration.ClusterName == aws_ecs_cluster.cluster.name
    error_message = "The deploy action updates the api service in the environment's cluster."
  }
  assert {
    condition     = one([for s in aws_codepipeline.service_api_pipeline.stage : s.action[0] if s.name == "Build"]).configuration.ProjectName == aws_codebuild_project.service_api_build_project.name
    error_message = "The build stage runs the service's project."
  }
}
