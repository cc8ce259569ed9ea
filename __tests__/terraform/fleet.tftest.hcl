# Every environment stack: launch template, Auto Scaling group, scaling, notifications.
# requires: aws_launch_template.fleet_template aws_autoscaling_group.fleet_asg data.aws_autoscaling_groups.fleet_groups aws_autoscaling_policy.fleet_cpu

run "plan_launch_template" {
  command = plan

  assert {
    condition     = aws_launch_template.fleet_template.metadata_options[0].http_tokens == "required"
    error_message = "Instances must require IMDSv2."
  }
  assert {
    condition     = contains([1, 2], aws_launch_template.fleet_template.metadata_options[0].http_put_response_hop_limit)
    error_message = "The IMDS hop limit must be 1, or 2 when containers run on the instance."
  }
  assert {
    condition     = alltrue([for b in aws_launch_template.fleet_template.block_device_mappings : b.ebs[0].encrypted == "true" && b.ebs[0].volume_type == "gp3"])
    error_message = "The root volume must be encrypted gp3."
  }
  assert {
    condition     = length(aws_launch_template.fleet_template.user_data) > 0 && can(base64decode(aws_launch_template.fleet_template.user_data))
    error_message = "User data must be present and base64-encoded."
  }
  assert {
    condition     = can(regex("amazon-cloudwatch-agent-ctl[\\s\\\\]+-a fetch-config -m ec2 -s -c \"ssm:/[^$\"]+\"", base64decode(aws_launch_template.fleet_template.user_data)))
    error_message = "User data must start the CloudWatch agent from its SSM parameter."
  }
  assert {
    condition     = can(regex("^(ami-([0-9a-f]{8}|[0-9a-f]{17})|resolve:ssm:/[a-zA-Z0-9_./-]+)$", aws_launch_template.fleet_template.image_id))
    error_message = "The image must be an AMI ID or an SSM parameter resolved at launch (resolve:ssm:<parameter>)."
  }
  assert {
    condition     = aws_launch_template.fleet_template.key_name == null
    error_message = "No key pair by default: Session Manager is the way in."
  }
}

run "plan_auto_scaling_group" {
  command = plan

  assert {
    condition     = length(aws_autoscaling_group.fleet_asg) == 1
    error_message = "With no group of the fleet in the account, Terraform creates the bootstrap group."
  }
  assert {
    condition     = aws_autoscaling_group.fleet_asg[0].health_check_type == "ELB" && aws_autoscaling_group.fleet_asg[0].health_check_grace_period > 0
    error_message = "The group must use the load balancer's health checks with a grace period."
  }
  assert {
    condition     = aws_autoscaling_group.fleet_asg[0].min_size <= aws_autoscaling_group.fleet_asg[0].desired_capacity && aws_autoscaling_group.fleet_asg[0].desired_capacity <= aws_autoscaling_group.fleet_asg[0].max_size
    error_message = "Desired capacity must lie within min and max."
  }
  assert {
    condition     = anytrue([for t in aws_autoscaling_group.fleet_asg[0].tag : t.key == "app:fleet" && t.propagate_at_launch])
    error_message = "The fleet tag that finds CodeDeploy's copies must be on the group and propagated."
  }
  assert {
    condition     = one(aws_autoscaling_policy.fleet_cpu[*]).policy_type == "TargetTrackingScaling" && one(aws_autoscaling_policy.fleet_cpu[*]).target_tracking_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ASGAverageCPUUtilization"
    error_message = "The fleet must scale on average CPU."
  }
  assert {
    condition     = one(aws_autoscaling_policy.fleet_cpu[*]).autoscaling_group_name == aws_autoscaling_group.fleet_asg[0].name
    error_message = "Before any release, policies attach to the bootstrap group."
  }
}

run "apply_fleet" {
  command = apply

  assert {
    # At the top level, or inside the mixed instances policy (fleet.purchase).
    condition     = one(concat(aws_autoscaling_group.fleet_asg[0].launch_template[*].id, flatten([for p in aws_autoscaling_group.fleet_asg[0].mixed_instances_policy : [for t in p.launch_template : t.launch_template_specification[*].launch_template_id]]))) == aws_launch_template.fleet_template.id
    error_message = "The group must launch from the fleet's template."
  }
  assert {
    condition     = aws_launch_template.fleet_template.iam_instance_profile[0].arn == aws_iam_instance_profile.fleet_role.arn
    error_message = "Instances must get the fleet's instance profile."
  }
  assert {
    condition     = contains(aws_autoscaling_group.fleet_asg[0].target_group_arns, aws_lb_target_group.target_group.arn)
    error_message = "Instances must register with the environment's target group."
  }
  assert {
    condition     = output.launch_template_id == aws_launch_template.fleet_template.id && output.target_group_arn == aws_lb_target_group.target_group.arn
    error_message = "Outputs must name the template and target group."
  }
  assert {
    condition     = one(aws_autoscaling_notification.fleet_notifications[*]).topic_arn == aws_sns_topic.notifications.arn
    error_message = "Fleet events must go to the notifications topic."
  }
}
