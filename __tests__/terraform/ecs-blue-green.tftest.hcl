# ECS environments of config/examples/ecs.yaml: web releases with CodeDeploy blue/green (10% canary,
# test listener on 8443 from 10.0.0.0/8), api keeps rolling updates.
# requires: aws_codedeploy_deployment_group.service_web_deployment_group aws_codedeploy_app.service_web_deployment_application aws_lb_listener.service_web_deployment_test_listener aws_lb_target_group.service_web_green_target_group aws_codebuild_project.service_web_prepare_project aws_codepipeline.service_web_pipeline

run "plan_ecs_blue_green" {
  command = plan

  assert {
    condition     = aws_codedeploy_app.service_web_deployment_application.compute_platform == "ECS" && aws_codedeploy_deployment_group.service_web_deployment_group.deployment_style[0].deployment_type == "BLUE_GREEN" && aws_codedeploy_deployment_group.service_web_deployment_group.deployment_config_name == "CodeDeployDefault.ECSCanary10Percent5Minutes"
    error_message = "web has an ECS CodeDeploy application and a blue/green group on the predefined 10% canary."
  }
  assert {
    condition     = aws_codedeploy_deployment_group.service_web_deployment_group.ecs_service[0].service_name == aws_ecs_service.service_web.name && aws_codedeploy_deployment_group.service_web_deployment_group.ecs_service[0].cluster_name == aws_ecs_cluster.cluster.name
    error_message = "The group deploys the web service of the environment's cluster."
  }
  assert {
    condition     = [for t in aws_codedeploy_deployment_group.service_web_deployment_group.load_balancer_info[0].target_group_pair_info[0].target_group : t.name] == [aws_lb_target_group.service_web_target_group.name, aws_lb_target_group.service_web_green_target_group.name]
    error_message = "The group swaps web's two target groups."
  }
  assert {
    condition     = aws_codedeploy_deployment_group.service_web_deployment_group.load_balancer_info[0].target_group_pair_info[0].test_traffic_route[0].listener_arns == toset([aws_lb_listener.service_web_deployment_test_listener.arn])
    error_message = "The test route is web's test listener."
  }
  assert {
    condition     = aws_lb_listener.service_web_deployment_test_listener.port == 8443 && aws_lb_target_group.service_web_green_target_group.name == "${aws_lb_target_group.service_web_target_group.name}-g"
    error_message = "The test listener is on 8443 and the green group is named after the blue one."
  }
  assert {
    condition     = aws_codedeploy_deployment_group.service_web_deployment_group.auto_rollback_configuration[0].enabled && contains(aws_codedeploy_deployment_group.service_web_deployment_group.auto_rollback_configuration[0].events, "DEPLOYMENT_STOP_ON_ALARM") && contains(aws_codedeploy_deployment_group.service_web_deployment_group.alarm_configuration[0].alarms, aws_cloudwatch_metric_alarm.service_web_alarms_target_5xx_green.alarm_name)
    error_message = "Deployments roll back on failure and on the alarms, the green group's 5xx included."
  }
  assert {
    condition     = one([for s in aws_codepipeline.service_web_pipeline.stage : s if s.name == "Deploy"]).action[1].provider == "CodeDeployToECS" && one([for s in aws_codepipeline.service_web_pipeline.stage : s if s.name == "Deploy"]).action[0].configuration.ProjectName == aws_codebuild_project.service_web_prepare_project.name
    error_message = "web's Deploy stage prepares the release files, then runs CodeDeployToECS."
  }
}
