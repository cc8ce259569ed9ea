# Drift-free blue/green: after CodeDeploy replaced the fleet with copies of the Auto Scaling group,
# Terraform must neither recreate the fleet nor point the deployment group at a deleted group.
# Runs use a state of their own (state_key), built in the world after the first release.
# requires: aws_codedeploy_deployment_group.deployment_group aws_autoscaling_group.fleet_asg data.aws_autoscaling_groups.fleet_groups

run "apply_after_first_release" {
  command   = apply
  state_key = "after_releases"

  # CodeDeploy's first release copied the bootstrap group and deleted it.
  override_data {
    target = data.aws_autoscaling_groups.fleet_groups
    values = {
      names = ["CodeDeploy_release_d-1FIRST000"]
    }
  }

  assert {
    condition     = length(aws_autoscaling_group.fleet_asg) == 0
    error_message = "After a release no bootstrap group may be created: the copy is the fleet."
  }
  assert {
    condition     = aws_codedeploy_deployment_group.deployment_group.autoscaling_groups == toset(["CodeDeploy_release_d-1FIRST000"])
    error_message = "The deployment group must deploy to the live copy, never to the deleted bootstrap group."
  }
  assert {
    condition     = aws_autoscaling_policy.fleet_cpu.autoscaling_group_name == "CodeDeploy_release_d-1FIRST000"
    error_message = "Scaling follows the live copy."
  }
}

run "plan_after_second_release" {
  command   = plan
  state_key = "after_releases"

  # The second release copied the first copy and deleted it.
  override_data {
    target = data.aws_autoscaling_groups.fleet_groups
    values = {
      names = ["CodeDeploy_release_d-2SECOND00"]
    }
  }

  assert {
    condition     = length(aws_autoscaling_group.fleet_asg) == 0
    error_message = "No fleet may be created after any number of releases."
  }
  assert {
    condition     = aws_autoscaling_policy.fleet_cpu.autoscaling_group_name == "CodeDeploy_release_d-2SECOND00" && output.autoscaling_group_name == "CodeDeploy_release_d-2SECOND00"
    error_message = "Policies and the output move to the newest copy in place."
  }
  assert {
    # Blue/green: CodeDeploy owns the list after creation (ignore_changes); it already names the new
    # copy in AWS, and Terraform plans no write to it. In-place groups are never copied.
    condition = (
      aws_codedeploy_deployment_group.deployment_group.deployment_style[0].deployment_type == "BLUE_GREEN"
      ? aws_codedeploy_deployment_group.deployment_group.autoscaling_groups == toset(["CodeDeploy_release_d-1FIRST000"])
      : aws_codedeploy_deployment_group.deployment_group.autoscaling_groups == toset(["CodeDeploy_release_d-2SECOND00"])
    )
    error_message = "Terraform must not rewrite the Auto Scaling groups of a blue/green deployment group."
  }
}

run "plan_during_termination_wait" {
  command   = plan
  state_key = "after_releases"

  # During the wait of the third release both the old and the new copy exist.
  override_data {
    target = data.aws_autoscaling_groups.fleet_groups
    values = {
      names = ["CodeDeploy_release_d-2SECOND00", "CodeDeploy_release_d-3THIRD000"]
    }
  }

  assert {
    condition     = length(aws_autoscaling_group.fleet_asg) == 0
    error_message = "No fleet may be created while two copies exist."
  }
  assert {
    condition = (
      aws_codedeploy_deployment_group.deployment_group.deployment_style[0].deployment_type != "BLUE_GREEN" ||
      aws_codedeploy_deployment_group.deployment_group.autoscaling_groups == toset(["CodeDeploy_release_d-1FIRST000"])
    )
    error_message = "During a termination wait Terraform must leave the blue/green deployment group alone."
  }
}
