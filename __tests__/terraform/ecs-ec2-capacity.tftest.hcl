# ECS environments with EC2 services: the Auto Scaling group behind the EC2 capacity provider.
# requires: aws_ecs_capacity_provider.cluster_ec2 aws_autoscaling_group.cluster_capacity aws_launch_template.cluster_template aws_ecs_cluster.cluster

run "plan_ec2_capacity" {
  command = plan

  assert {
    condition     = startswith(aws_launch_template.cluster_template.image_id, "resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/")
    error_message = "Container instances boot the ECS-optimized Amazon Linux 2023 image from AWS's public parameter."
  }
  assert {
    condition     = strcontains(base64decode(aws_launch_template.cluster_template.user_data), "ECS_CLUSTER=${aws_ecs_cluster.cluster.name}\n")
    error_message = "User data must join the instances to the environment's cluster."
  }
  assert {
    condition     = aws_launch_template.cluster_template.metadata_options[0].http_tokens == "required" && aws_launch_template.cluster_template.metadata_options[0].http_put_response_hop_limit == 1
    error_message = "IMDSv2 with hop limit 1: containers must not reach the instance role."
  }
  assert {
    condition     = anytrue([for t in aws_autoscaling_group.cluster_capacity.tag : t.key == "AmazonECSManaged" && t.propagate_at_launch])
    error_message = "Managed scaling needs the AmazonECSManaged tag on the group."
  }
  assert {
    condition     = aws_autoscaling_group.cluster_capacity.protect_from_scale_in == (aws_ecs_capacity_provider.cluster_ec2.auto_scaling_group_provider[0].managed_termination_protection == "ENABLED")
    error_message = "Managed termination protection is on exactly when instances are protected from scale-in."
  }
  assert {
    condition     = aws_autoscaling_group.cluster_capacity.force_delete
    error_message = "terraform destroy must be able to delete the group even while instances are protected from scale-in."
  }
  assert {
    condition     = aws_ecs_capacity_provider.cluster_ec2.auto_scaling_group_provider[0].managed_scaling[0].status == "ENABLED" && aws_ecs_capacity_provider.cluster_ec2.auto_scaling_group_provider[0].managed_scaling[0].target_capacity <= 100
    error_message = "The capacity provider must scale the group (managed scaling)."
  }
  assert {
    condition     = contains(aws_ecs_cluster_capacity_providers.cluster_capacity_providers.capacity_providers, aws_ecs_capacity_provider.cluster_ec2.name)
    error_message = "The EC2 capacity provider must be associated with the cluster."
  }
}

run "apply_ec2_capacity" {
  command = apply

  assert {
    condition     = aws_ecs_capacity_provider.cluster_ec2.auto_scaling_group_provider[0].auto_scaling_group_arn == aws_autoscaling_group.cluster_capacity.arn
    error_message = "The capacity provider must drive the environment's group."
  }
  assert {
    condition     = aws_autoscaling_notification.cluster_notifications.group_names == toset([aws_autoscaling_group.cluster_capacity.name]) && aws_autoscaling_notification.cluster_notifications.topic_arn == aws_sns_topic.notifications.arn
    error_message = "Container instance launch and terminate events go to the environment's topic."
  }
  assert {
    condition     = aws_autoscaling_group.cluster_capacity.launch_template[0].id == aws_launch_template.cluster_template.id
    error_message = "The group must launch from the container instance template."
  }
}
