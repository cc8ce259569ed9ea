# Environments whose CodeDeploy agent comes from State Manager (codedeployAgent.install: ssm-association).
# requires: aws_ssm_association.codedeploy_agent aws_autoscaling_group.fleet_asg

run "plan_codedeploy_agent_association" {
  command = plan

  assert {
    condition     = aws_ssm_association.codedeploy_agent.name == "AWS-ConfigureAWSPackage" && aws_ssm_association.codedeploy_agent.parameters["action"] == "Install" && aws_ssm_association.codedeploy_agent.parameters["name"] == "AWSCodeDeployAgent"
    error_message = "The association must install the AWSCodeDeployAgent package with AWS-ConfigureAWSPackage."
  }
  assert {
    condition     = startswith(aws_ssm_association.codedeploy_agent.schedule_expression, "cron(") || startswith(aws_ssm_association.codedeploy_agent.schedule_expression, "rate(")
    error_message = "The association must run again on a schedule."
  }
  assert {
    condition     = !aws_ssm_association.codedeploy_agent.apply_only_at_cron_interval
    error_message = "The association must also run at creation and on new instances."
  }
}

run "apply_codedeploy_agent_association" {
  command = apply

  assert {
    condition = (
      one(aws_ssm_association.codedeploy_agent.targets[*].key) == "tag:app:fleet" &&
      tolist(one(aws_ssm_association.codedeploy_agent.targets[*].values)) == tolist([for t in aws_autoscaling_group.fleet_asg[0].tag : t.value if t.key == "app:fleet" && t.propagate_at_launch])
    )
    error_message = "The association must target the instances by the fleet's app:fleet tag, which the group propagates to them."
  }
  assert {
    condition     = contains([for a in aws_iam_role_policy_attachment.fleet_role_amazon_ssm_managed_instance_core[*] : a.role], aws_iam_role.fleet_role.name)
    error_message = "The fleet's role must carry AmazonSSMManagedInstanceCore so the instances run the association."
  }
}
