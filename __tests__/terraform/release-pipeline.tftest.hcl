# Every environment stack: CodeBuild project and CodeDeploy deployment group of the release pipeline.
# requires: aws_codebuild_project.build_project aws_codedeploy_app.codedeploy_application aws_codedeploy_deployment_group.deployment_group aws_cloudwatch_log_group.build_logs

run "plan_build_project" {
  command = plan

  assert {
    condition     = aws_codebuild_project.build_project.source[0].type == "CODEPIPELINE" && aws_codebuild_project.build_project.artifacts[0].type == "CODEPIPELINE"
    error_message = "The project must be driven by CodePipeline (source and artifacts CODEPIPELINE)."
  }
  assert {
    condition     = aws_codebuild_project.build_project.source[0].buildspec == null || aws_codebuild_project.build_project.source[0].buildspec == ""
    error_message = "The buildspec comes from the application repository (buildspec.yml), not from the project."
  }
  assert {
    condition     = aws_codebuild_project.build_project.environment[0].privileged_mode == (aws_ssm_parameter.release_parameters_runtime.value == "docker")
    error_message = "Privileged mode must be on exactly when the runtime is docker."
  }
  assert {
    condition = alltrue([for name in ["APP_NAME", "APP_ENV", "RELEASE_PARAMETER_PATH", "IMAGE_TAG_ENV"] :
    contains([for v in aws_codebuild_project.build_project.environment[0].environment_variable : v.name], name)])
    error_message = "The buildspec relies on APP_NAME, APP_ENV, RELEASE_PARAMETER_PATH and IMAGE_TAG_ENV."
  }
  assert {
    condition     = one([for v in aws_codebuild_project.build_project.environment[0].environment_variable : v.value if v.name == "RELEASE_PARAMETER_PATH"]) == output.release_parameter_path
    error_message = "RELEASE_PARAMETER_PATH must be the release parameter path the release files read."
  }
  assert {
    condition     = aws_codebuild_project.build_project.logs_config[0].cloudwatch_logs[0].group_name == aws_cloudwatch_log_group.build_logs.name && aws_cloudwatch_log_group.build_logs.retention_in_days > 0
    error_message = "Build logs must go to the project's log group, which has a retention."
  }
}

run "plan_deployment_group" {
  command = plan

  assert {
    condition     = aws_codedeploy_app.codedeploy_application.compute_platform == "Server"
    error_message = "The application deploys to EC2 instances."
  }
  assert {
    condition     = aws_codedeploy_deployment_group.deployment_group.deployment_style[0].deployment_option == "WITH_TRAFFIC_CONTROL"
    error_message = "Deployments must take instances out of the load balancer while they change."
  }
  assert {
    condition     = one(aws_codedeploy_deployment_group.deployment_group.load_balancer_info[0].target_group_info[*].name) == aws_lb_target_group.target_group.name
    error_message = "Deployments must control the environment's target group."
  }
  assert {
    condition     = aws_codedeploy_deployment_group.deployment_group.auto_rollback_configuration[0].enabled && contains(aws_codedeploy_deployment_group.deployment_group.auto_rollback_configuration[0].events, "DEPLOYMENT_FAILURE")
    error_message = "A failed deployment must roll back automatically."
  }
  assert {
    condition = (
      aws_codedeploy_deployment_group.deployment_group.deployment_style[0].deployment_type == "IN_PLACE"
      ? length(aws_codedeploy_deployment_group.deployment_group.blue_green_deployment_config) == 0
      : (aws_codedeploy_deployment_group.deployment_group.blue_green_deployment_config[0].green_fleet_provisioning_option[0].action == "COPY_AUTO_SCALING_GROUP" &&
      aws_codedeploy_deployment_group.deployment_group.blue_green_deployment_config[0].terminate_blue_instances_on_deployment_success[0].action == "TERMINATE")
    )
    error_message = "Blue/green must copy the Auto Scaling group per release and terminate the old fleet after the wait."
  }
  assert {
    condition     = aws_codedeploy_deployment_group.deployment_group.autoscaling_groups == toset([aws_autoscaling_group.fleet_asg[0].name])
    error_message = "Before any release the deployment group deploys to the bootstrap group."
  }
}

run "apply_release_pipeline" {
  command = apply

  assert {
    condition     = aws_codebuild_project.build_project.service_role == aws_iam_role.build_role.arn && aws_codebuild_project.build_project.encryption_key == aws_kms_key.environment_key.arn
    error_message = "The project must run under its own role and encrypt its output with the environment key."
  }
  assert {
    condition = (
      aws_ssm_parameter.release_parameters_runtime.value == "docker"
      ? alltrue([for c in aws_codebuild_project.build_project.cache : c.type == "NO_CACHE"])
      : one(aws_codebuild_project.build_project.cache[*].location) == "${aws_s3_bucket.artifacts_bucket.bucket}/build-cache/${aws_codebuild_project.build_project.name}" && one(aws_codebuild_project.build_project.cache[*].type) == "S3"
    )
    error_message = "A Node.js project keeps the buildspec's cache in the artifact bucket under build-cache/<project> (S3 cache); a Docker build has none."
  }
  assert {
    condition     = aws_codedeploy_deployment_group.deployment_group.service_role_arn == aws_iam_role.deployment_role.arn
    error_message = "The deployment group must use its own service role."
  }
  assert {
    condition     = one(aws_codedeploy_deployment_group.deployment_group.trigger_configuration[*].trigger_target_arn) == aws_sns_topic.notifications.arn
    error_message = "Deployment results must be published to the environment's topic."
  }
  assert {
    condition = (
      length(aws_codedeploy_deployment_group.deployment_group.alarm_configuration) == 0 ? true :
      alltrue([for a in [aws_cloudwatch_metric_alarm.alarms_target_5xx, aws_cloudwatch_metric_alarm.alarms_unhealthy_hosts, aws_cloudwatch_metric_alarm.alarms_cpu_high] :
        contains(aws_codedeploy_deployment_group.deployment_group.alarm_configuration[0].alarms, a.alarm_name)
      ])
    )
    error_message = "Alarm-based rollback watches the fleet and traffic alarms (the load balancer's own 5xx too when the ALB is the environment's: observability suite)."
  }
  assert {
    condition     = output.codebuild_project_name == aws_codebuild_project.build_project.name && output.codedeploy_application_name == aws_codedeploy_app.codedeploy_application.name && output.codedeploy_deployment_group_name == aws_codedeploy_deployment_group.deployment_group.deployment_group_name
    error_message = "Outputs must name the project, application and deployment group."
  }
}
