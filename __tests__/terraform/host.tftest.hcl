# Host stacks (platform: host): the instance, its Elastic IP, security group, alarms and the Ansible inventory.
# requires: aws_instance.host_instance aws_eip.host_eip aws_eip_association.host_eip_association aws_security_group.network_host aws_cloudwatch_metric_alarm.alarms_system_check aws_vpc_security_group_ingress_rule.network_host_port_443_from_0_0_0_0_0

run "plan_host_instance" {
  command = plan

  assert {
    condition     = aws_instance.host_instance.metadata_options[0].http_tokens == "required" && aws_instance.host_instance.metadata_options[0].http_put_response_hop_limit == 1
    error_message = "The host must require IMDSv2 with hop limit 1."
  }
  assert {
    condition     = aws_instance.host_instance.root_block_device[0].encrypted && aws_instance.host_instance.root_block_device[0].volume_type == "gp3"
    error_message = "The root volume must be encrypted gp3."
  }
  assert {
    condition     = aws_instance.host_instance.associate_public_ip_address == false
    error_message = "The host gets no public IP at launch: its address is the Elastic IP."
  }
  assert {
    condition     = aws_instance.host_instance.subnet_id == aws_subnet.network_public_0.id || aws_instance.host_instance.subnet_id == null
    error_message = "The host runs in the first public subnet."
  }
  assert {
    condition     = aws_instance.host_instance.iam_instance_profile == aws_iam_instance_profile.host_role.name
    error_message = "The host has the instance profile of its role."
  }
  assert {
    condition     = aws_iam_role_policy_attachment.host_role_amazon_ssm_managed_instance_core.policy_arn == "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    error_message = "The host role must allow Session Manager."
  }
  assert {
    condition     = can(regex("amazon-cloudwatch-agent-ctl[\\s\\\\]+-a fetch-config -m ec2 -s -c \"ssm:/[^$\"]+\"", base64decode(aws_instance.host_instance.user_data_base64)))
    error_message = "User data must start the CloudWatch agent from its SSM parameter."
  }
  assert {
    condition     = aws_eip.host_eip.domain == "vpc"
    error_message = "The Elastic IP must be a VPC address."
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.network_host_port_443_from_0_0_0_0_0.from_port == 443 && aws_vpc_security_group_ingress_rule.network_host_port_443_from_0_0_0_0_0.to_port == 443 && aws_vpc_security_group_ingress_rule.network_host_port_443_from_0_0_0_0_0.cidr_ipv4 == "0.0.0.0/0"
    error_message = "HTTPS must be open to the world: the host serves traffic itself."
  }
  assert {
    condition     = aws_vpc_security_group_egress_rule.network_host_https_to_0_0_0_0_0.from_port == 443 && aws_vpc_security_group_egress_rule.network_host_https_to_0_0_0_0_0.to_port == 443
    error_message = "The host may only leave the VPC on HTTPS."
  }
}

run "apply_host" {
  command = apply

  assert {
    condition     = aws_eip_association.host_eip_association.allocation_id == aws_eip.host_eip.allocation_id && aws_eip_association.host_eip_association.instance_id == aws_instance.host_instance.id
    error_message = "The Elastic IP must be associated with the host instance."
  }
  assert {
    condition     = output.public_ip == aws_eip.host_eip.public_ip && output.instance_id == aws_instance.host_instance.id
    error_message = "public_ip and instance_id outputs must be the Elastic IP and the instance."
  }
  assert {
    condition     = can(regex("^\\[[a-z0-9_]+\\]\\n[^ \\n]+ ansible_host=${replace(aws_eip.host_eip.public_ip, ".", "\\.")} ansible_user=ec2-user", output.ansible_inventory))
    error_message = "The inventory must start with the environment's group and the host at its Elastic IP as ec2-user."
  }
  assert {
    condition     = strcontains(output.ansible_inventory, ":vars]\n") && strcontains(output.ansible_inventory, "ecr_repository_url=${aws_ecr_repository.artifacts_repository.repository_url}\n")
    error_message = "The inventory must carry the group variables, the ECR repository among them."
  }
  assert {
    condition     = anytrue([for a in aws_cloudwatch_metric_alarm.alarms_system_check.alarm_actions : can(regex("^arn:aws[a-z-]*:automate:[a-z0-9-]+:ec2:recover$", a))])
    error_message = "A failed system status check must recover the instance."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.alarms_system_check.metric_name == "StatusCheckFailed_System" && aws_cloudwatch_metric_alarm.alarms_system_check.dimensions["InstanceId"] == aws_instance.host_instance.id
    error_message = "The recovery alarm must watch the host's system status check."
  }
  assert {
    condition     = contains(aws_cloudwatch_metric_alarm.alarms_system_check.alarm_actions, aws_sns_topic.notifications.arn)
    error_message = "Recovery must also notify the environment's topic."
  }
  assert {
    condition     = alltrue([for a in [aws_cloudwatch_metric_alarm.alarms_memory_high, aws_cloudwatch_metric_alarm.alarms_disk_high] : a.namespace == "CWAgent" && length(a.dimensions) == 1 && a.dimensions.InstanceId == aws_instance.host_instance.id]) && contains(jsondecode(aws_ssm_parameter.cloudwatch_agent_config.value).metrics.aggregation_dimensions, ["InstanceId"])
    error_message = "The host's memory and disk alarms name the agent's aggregate by InstanceId."
  }

}
