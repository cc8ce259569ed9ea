# ECS environments of config/examples/ecs.yaml: a pipeline per service, ending in a deploy project that
# registers the next revision from the one Terraform registered last (its ARN in SSM) with the built image.
# requires: aws_codepipeline.service_api_pipeline aws_codebuild_project.service_api_build_project aws_codebuild_project.service_api_deploy_project aws_ssm_parameter.service_api_task_definition aws_ecs_service.service_api

run "plan_ecs_pipeline" {
  command = plan

  assert {
    condition     = [for s in aws_codepipeline.service_api_pipeline.stage : s.name][0] == "Source" && [for s in aws_codepipeline.service_api_pipeline.stage : s.name][length(aws_codepipeline.service_api_pipeline.stage) - 1] == "Deploy"
    error_message = "The pipeline runs source first and deploy last."
  }
  assert {
    condition     = one([for s in aws_codepipeline.service_api_pipeline.stage : s.action[0] if s.name == "Deploy"]).provider == "CodeBuild" && one([for s in aws_codepipeline.service_api_pipeline.stage : s.action[0] if s.name == "Deploy"]).category == "Build"
    error_message = "The deploy stage runs the deploy project, not CodePipeline's ECS action (which starts from the revision the service runs)."
  }
  assert {
    condition     = strcontains(aws_codebuild_project.service_api_deploy_project.source[0].buildspec, "register-task-definition") && !aws_codebuild_project.service_api_deploy_project.environment[0].privileged_mode
    error_message = "The deploy project registers the next revision itself and runs no Docker."
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
    condition     = one([for s in aws_codepipeline.service_api_pipeline.stage : s.action[0] if s.name == "Deploy"]).configuration.ProjectName == aws_codebuild_project.service_api_deploy_project.name
    error_message = "The deploy stage runs the api service's deploy project."
  }
  assert {
    condition     = aws_ssm_parameter.service_api_task_definition.value == aws_ecs_task_definition.service_api_task.arn
    error_message = "Terraform publishes the ARN of the revision it registered, with the revision number."
  }
  assert {
    condition     = one([for v in aws_codebuild_project.service_api_deploy_project.environment[0].environment_variable : v.value if v.name == "TASK_DEFINITION_PARAMETER"]) == aws_ssm_parameter.service_api_task_definition.name
    error_message = "The deploy project reads Terraform's revision from the parameter Terraform writes."
  }
  assert {
    condition     = one([for v in aws_codebuild_project.service_api_deploy_project.environment[0].environment_variable : v.value if v.name == "SERVICE_NAME"]) == aws_ecs_service.service_api.name && one([for v in aws_codebuild_project.service_api_deploy_project.environment[0].environment_variable : v.value if v.name == "CLUSTER_NAME"]) == aws_ecs_cluster.cluster.name
    error_message = "The deploy project rolls the api service in the environment's cluster."
  }

  assert {
    condition     = one([for s in aws_codepipeline.service_api_pipeline.stage : s.action[0] if s.name == "Build"]).configuration.ProjectName == aws_codebuild_project.service_api_build_project.name
    error_message = "The build stage runs the service's project."
  }
}
