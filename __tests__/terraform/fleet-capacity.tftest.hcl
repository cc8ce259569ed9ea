# fleet.purchase: a mixed instances policy (Spot above an On-Demand base, several instance types) on
# the bootstrap group, whose launch template names the AMI ID read at plan time: CreateAutoScalingGroup
# refuses resolve:ssm: with a mixed instances policy (hashicorp/terraform-provider-aws#38767).
# requires: data.aws_ssm_parameter.launch_image aws_launch_template.fleet_template aws_autoscaling_group.fleet_asg

run "plan_mixed_instances_policy" {
  command = plan

  assert {
    condition     = aws_launch_template.fleet_template.image_id == data.aws_ssm_parameter.launch_image.insecure_value && can(regex("^ami-", aws_launch_template.fleet_template.image_id))
    error_message = "With a mixed instances policy the launch template must name the AMI ID read from the parameter, never resolve:ssm:."
  }
  assert {
    condition     = length(aws_autoscaling_group.fleet_asg[0].launch_template) == 0 && length(aws_autoscaling_group.fleet_asg[0].mixed_instances_policy) == 1
    error_message = "The group names its launch template inside the mixed instances policy, not at the top level."
  }
  assert {
    condition     = one(aws_autoscaling_group.fleet_asg[0].mixed_instances_policy[0].launch_template[0].launch_template_specification).launch_template_id == aws_launch_template.fleet_template.id
    error_message = "The policy launches from the fleet's template."
  }
  assert {
    condition     = contains(["price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized", "lowest-price"], one(aws_autoscaling_group.fleet_asg[0].mixed_instances_policy[0].instances_distribution).spot_allocation_strategy)
    error_message = "The Spot allocation strategy must be one AWS knows."
  }
  assert {
    condition     = length(aws_autoscaling_group.fleet_asg[0].warm_pool) == 0
    error_message = "PutWarmPool refuses a group with a mixed instances policy: no warm pool here."
  }
}
