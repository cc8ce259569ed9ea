# Drift-free blue/green: after CodeDeploy replaced the fleet with copies of the Auto Scaling group,
# Terraform must neither recreate the fleet nor point anything at a deleted group; the copies get
# the settings from the fleet reconciler (docs/release-pipeline.md), so the plan stays as it was.
# Runs use a state of their own (state_key), built in the world after the first release.
# requires: aws_codedeploy_deployment_group.deployment_group aws_autoscaling_group.fleet_asg data.aws_autoscaling_groups.fleet_groups aws_lambda_invocation.fleet_reconciler_apply

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
    condition     = length(aws_autoscaling_policy.fleet_cpu) == 0 && length(aws_autoscaling_notification.fleet_notifications) == 0
    error_message = "Terraform's policies and notifications go with the bootstrap group; the reconciler puts them on copies."
  }
  assert {
    condition     = jsondecode(aws_lambda_invocation.fleet_reconciler_apply.input).settings == jsondecode(aws_lambda_function.fleet_reconciler_function.environment[0].variables.FLEET_SETTINGS)
    error_message = "Terraform's invocation and the function's events must apply the same settings."
  }
  assert {
    condition     = aws_lambda_invocation.fleet_reconciler_apply.lifecycle_scope == "CRUD"
    error_message = "The reconciler must run on destroy too, to delete the copies before their subnets."
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
    condition     = length(aws_autoscaling_group.fleet_asg) == 0 && length(aws_autoscaling_policy.fleet_cpu) == 0
    error_message = "No fleet and no policy may be created after any number of releases."
  }
  assert {
    # CodeDeploy owns the list after creation (ignore_changes); it already names the new copy in AWS.
    condition     = aws_codedeploy_deployment_group.deployment_group.autoscaling_groups == toset(["CodeDeploy_release_d-1FIRST000"])
    error_message = "Terraform must not rewrite the Auto Scaling groups of a blue/green deployment group."
  }
  assert {
    # The reconciler points the alarms keyed by the group at each copy; Terraform leaves their dimensions alone.
    condition     = alltrue([for a in [aws_cloudwatch_metric_alarm.alarms_cpu_high, aws_cloudwatch_metric_alarm.alarms_memory_high, aws_cloudwatch_metric_alarm.alarms_disk_high] : a.dimensions["AutoScalingGroupName"] == "CodeDeploy_release_d-1FIRST000"])
    error_message = "Terraform must not move the CPU, memory and disk alarms: the reconciler does."
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
    condition     = aws_codedeploy_deployment_group.deployment_group.autoscaling_groups == toset(["CodeDeploy_release_d-1FIRST000"])
    error_message = "During a termination wait Terraform must leave the blue/green deployment group alone."
  }
}
