# ECS environments: the cluster and its capacity providers.
# requires: aws_ecs_cluster.cluster aws_ecs_cluster_capacity_providers.cluster_capacity_providers

run "plan_ecs_cluster" {
  command = plan

  assert {
    condition     = anytrue([for s in aws_ecs_cluster.cluster.setting : s.name == "containerInsights" && contains(["enabled", "enhanced"], s.value)])
    error_message = "Container Insights must be on."
  }
  assert {
    condition     = contains(aws_ecs_cluster_capacity_providers.cluster_capacity_providers.capacity_providers, "FARGATE") && contains(aws_ecs_cluster_capacity_providers.cluster_capacity_providers.capacity_providers, "FARGATE_SPOT")
    error_message = "The cluster must offer Fargate and Fargate Spot."
  }
  assert {
    condition     = aws_ecs_cluster_capacity_providers.cluster_capacity_providers.cluster_name == aws_ecs_cluster.cluster.name
    error_message = "The capacity providers must be associated with the environment's cluster."
  }
  assert {
    condition     = length(aws_ecs_cluster_capacity_providers.cluster_capacity_providers.default_capacity_provider_strategy) > 0 && alltrue([for s in aws_ecs_cluster_capacity_providers.cluster_capacity_providers.default_capacity_provider_strategy : contains(["FARGATE", "FARGATE_SPOT"], s.capacity_provider)])
    error_message = "The default strategy is Fargate (and Fargate Spot)."
  }
}

run "apply_ecs_cluster" {
  command = apply

  assert {
    condition     = output.ecs_cluster_arn == aws_ecs_cluster.cluster.arn && output.ecs_cluster_name == aws_ecs_cluster.cluster.name
    error_message = "The outputs must name the cluster."
  }
}
