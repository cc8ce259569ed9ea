# ECS environments of config/examples/ecs.yaml: api (Fargate, awsvpc) on /api/*, web (EC2, bridge) on /*.
# requires: aws_ecs_service.service_api aws_ecs_service.service_web aws_lb_listener_rule.service_api_target_group_path aws_lb_listener_rule.service_web_target_group_path

run "plan_ecs_services" {
  command = plan

  assert {
    condition     = aws_lb_target_group.service_api_target_group.target_type == "ip" && aws_lb_target_group.service_web_target_group.target_type == "instance"
    error_message = "awsvpc tasks register by IP, bridge tasks by instance (on their host ports)."
  }
  assert {
    condition     = toset(flatten([for c in aws_lb_listener_rule.service_api_target_group_path.condition : [for p in c.path_pattern : p.values]])) == toset(["/api/*"]) && toset(flatten([for c in aws_lb_listener_rule.service_web_target_group_path.condition : [for p in c.path_pattern : p.values]])) == toset(["/*"])
    error_message = "Each service gets one path rule with its configured patterns."
  }
  assert {
    condition     = aws_lb_listener_rule.service_api_target_group_path.priority < aws_lb_listener_rule.service_web_target_group_path.priority
    error_message = "The specific /api/* rule must be evaluated before the catch-all /*."
  }
  assert {
    condition     = aws_ecs_service.service_api.network_configuration[0].assign_public_ip == false && length(aws_ecs_service.service_web.network_configuration) == 0
    error_message = "awsvpc tasks get no public IP; bridge tasks have no network configuration."
  }
  assert {
    condition     = alltrue([for s in aws_ecs_service.service_api.capacity_provider_strategy : contains(["FARGATE", "FARGATE_SPOT"], s.capacity_provider)]) && aws_ecs_task_definition.service_api_task.requires_compatibilities == toset(["FARGATE"])
    error_message = "The Fargate service runs on Fargate capacity."
  }
  assert {
    condition     = aws_ecs_task_definition.service_web_task.network_mode == "bridge" && aws_ecs_task_definition.service_web_task.requires_compatibilities == toset(["EC2"])
    error_message = "The EC2 service runs in bridge mode."
  }
  assert {
    condition     = aws_iam_role.service_api_task_role.name != aws_iam_role.service_api_execution_role.name && aws_iam_role.service_web_task_role.name != aws_iam_role.service_web_execution_role.name
    error_message = "Task and execution roles must be separate."
  }
  assert {
    condition     = aws_ecs_service.service_api.deployment_circuit_breaker[0].enable && aws_ecs_service.service_api.deployment_circuit_breaker[0].rollback && length(aws_ecs_service.service_web.deployment_circuit_breaker) == 0 && aws_ecs_service.service_web.deployment_controller[0].type == "CODE_DEPLOY"
    error_message = "Failed rolling deployments (api) roll back by the circuit breaker; web is blue-green (CodeDeploy rolls back, no circuit breaker)."
  }
  assert {
    condition     = aws_ecs_service.service_api.alarms[0].enable && aws_ecs_service.service_api.alarms[0].rollback && contains(aws_ecs_service.service_api.alarms[0].alarm_names, aws_cloudwatch_metric_alarm.service_api_alarms_target_5xx.alarm_name)
    error_message = "The rolling api service fails and rolls back a deployment when its 5xx alarm fires."
  }
  assert {
    condition     = aws_appautoscaling_target.service_api_scaling.scalable_dimension == "ecs:service:DesiredCount" && aws_appautoscaling_target.service_api_scaling.min_capacity <= aws_appautoscaling_target.service_api_scaling.max_capacity
    error_message = "Each service scales its desired count within min and max."
  }
  assert {
    condition     = aws_appautoscaling_policy.service_api_cpu.target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ECSServiceAverageCPUUtilization" && aws_appautoscaling_policy.service_api_memory.target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ECSServiceAverageMemoryUtilization"
    error_message = "Services track CPU and memory."
  }
  assert {
    condition     = aws_appautoscaling_policy.service_web_cpu.target_tracking_scaling_policy_configuration[0].target_value == 75 && aws_appautoscaling_policy.service_web_memory.target_tracking_scaling_policy_configuration[0].target_value == 75
    error_message = "The example keeps the 75% default targets."
  }
  assert {
    condition     = aws_cloudwatch_log_group.service_api_logs.retention_in_days > 0 && aws_cloudwatch_log_group.service_web_logs.retention_in_days > 0
    error_message = "Each service logs to a group of its own with retention."
  }
  assert {
    condition     = alltrue([for a in [aws_cloudwatch_metric_alarm.service_api_alarms_cpu_high, aws_cloudwatch_metric_alarm.service_api_alarms_memory_high] : a.namespace == "AWS/ECS" && a.dimensions.ServiceName == aws_ecs_service.service_api.name]) && aws_cloudwatch_metric_alarm.service_web_alarms_latency_p99.extended_statistic == "p99"
    error_message = "Each ECS service has CPU and memory alarms on its own service, and latency alarms on its target group."
  }

}

run "apply_ecs_services" {
  command = apply

  assert {
    condition     = aws_lb_listener_rule.service_api_target_group_path.action[0].target_group_arn == aws_lb_target_group.service_api_target_group.arn && [for lb in aws_ecs_service.service_api.load_balancer : lb.target_group_arn] == [aws_lb_target_group.service_api_target_group.arn]
    error_message = "The api rule and service use the api target group."
  }
  assert {
    condition     = toset([for g in aws_lb_listener_rule.service_web_target_group_path.action[0].forward[0].target_group : g.weight]) == toset([100, 0]) && alltrue([for tg in [aws_lb_target_group.service_web_target_group, aws_lb_target_group.service_web_green_target_group] : contains([for g in aws_lb_listener_rule.service_web_target_group_path.action[0].forward[0].target_group : g.arn], tg.arn)]) && [for lb in aws_ecs_service.service_web.load_balancer : lb.target_group_arn] == [aws_lb_target_group.service_web_target_group.arn]
    error_message = "The web rule forwards to the blue/green pair (blue 100, green 0) and the service starts on the blue group."
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.service_web_task.container_definitions)[0].portMappings[0].hostPort == 0 && jsondecode(aws_ecs_task_definition.service_api_task.container_definitions)[0].portMappings[0].hostPort == 8080
    error_message = "Bridge tasks use dynamic host ports; awsvpc tasks their container port."
  }
  assert {
    condition     = startswith(jsondecode(aws_ecs_task_definition.service_api_task.container_definitions)[0].image, "${aws_ecr_repository.service_api_repository.repository_url}:")
    error_message = "Each service runs its own repository's image."
  }
  assert {
    condition     = aws_ecs_task_definition.service_api_task.task_role_arn == aws_iam_role.service_api_task_role.arn && aws_ecs_task_definition.service_api_task.execution_role_arn == aws_iam_role.service_api_execution_role.arn
    error_message = "The task definition hands the application its task role and the agent its execution role."
  }
  assert {
    condition     = aws_appautoscaling_target.service_web_scaling.resource_id == "service/${aws_ecs_cluster.cluster.name}/${aws_ecs_service.service_web.name}" && aws_appautoscaling_policy.service_web_cpu.resource_id == aws_appautoscaling_target.service_web_scaling.resource_id
    error_message = "Autoscaling must target the service in the environment's cluster."
  }
  assert {
    condition     = contains([for s in aws_ecs_service.service_web.capacity_provider_strategy : s.capacity_provider], aws_ecs_capacity_provider.cluster_ec2.name)
    error_message = "The EC2 service runs on the EC2 capacity provider."
  }
  assert {
    condition     = alltrue([for a in [aws_cloudwatch_metric_alarm.service_api_alarms_cpu_high, aws_cloudwatch_metric_alarm.service_web_alarms_target_5xx] : contains(a.alarm_actions, aws_sns_topic.notifications.arn)]) && aws_cloudwatch_metric_alarm.service_web_alarms_target_5xx.dimensions.TargetGroup == aws_lb_target_group.service_web_target_group.arn_suffix
    error_message = "ECS service alarms watch the service's own target group and notify the environment's topic."
  }

}
