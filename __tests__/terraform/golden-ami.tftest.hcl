# Runs against every stack with a golden AMI of all five components.
# requires: aws_ssm_parameter.golden_ami_image_id aws_imagebuilder_image.golden_ami aws_imagebuilder_image_recipe.golden_ami aws_imagebuilder_infrastructure_configuration.golden_ami aws_imagebuilder_distribution_configuration.golden_ami aws_imagebuilder_component.golden_ami_codedeploy_agent aws_imagebuilder_component.golden_ami_cloudwatch_agent aws_imagebuilder_component.golden_ami_docker aws_imagebuilder_component.golden_ami_nodejs aws_imagebuilder_component.golden_ami_nginx aws_subnet.network_private_0

run "plan_components" {
  command = plan

  # Terraform itself parses the documents: proves the YAML survives the JSON and HCL renderings.
  assert {
    condition = alltrue([
      for c in [
        aws_imagebuilder_component.golden_ami_codedeploy_agent,
        aws_imagebuilder_component.golden_ami_cloudwatch_agent,
        aws_imagebuilder_component.golden_ami_docker,
        aws_imagebuilder_component.golden_ami_nodejs,
        aws_imagebuilder_component.golden_ami_nginx,
      ] : [for p in yamldecode(c.data).phases : p.name] == ["build", "validate", "test"] && yamldecode(c.data).schemaVersion == 1
    ])
    error_message = "Every component document must parse as YAML, with schema version 1.0 and build, validate and test phases."
  }
  assert {
    condition = alltrue([
      for c in [
        aws_imagebuilder_component.golden_ami_codedeploy_agent,
        aws_imagebuilder_component.golden_ami_cloudwatch_agent,
        aws_imagebuilder_component.golden_ami_docker,
        aws_imagebuilder_component.golden_ami_nodejs,
        aws_imagebuilder_component.golden_ami_nginx,
      ] : can(regex("^1\\.0\\.[0-9]+$", c.version)) && c.platform == "Linux"
    ])
    error_message = "Component versions must be semantic versions 1.0.<content hash>."
  }
  assert {
    condition     = strcontains(aws_imagebuilder_component.golden_ami_codedeploy_agent.data, "https://aws-codedeploy-") && strcontains(aws_imagebuilder_component.golden_ami_codedeploy_agent.data, "systemctl enable codedeploy-agent")
    error_message = "The CodeDeploy agent must come from the regional bucket over HTTPS and be enabled at boot."
  }
  assert {
    condition     = strcontains(aws_imagebuilder_component.golden_ami_docker.data, "usermod -aG docker ec2-user")
    error_message = "The Docker component must put ec2-user in the docker group."
  }
}

run "plan_recipe_and_infrastructure" {
  command = plan

  assert {
    condition     = can(regex("^1\\.0\\.[0-9]+$", aws_imagebuilder_image_recipe.golden_ami.version))
    error_message = "The recipe version must be a semantic version 1.0.<content hash>."
  }
  assert {
    condition     = can(regex("^arn:aws[a-z-]*:imagebuilder:[a-z0-9-]+:aws:image/amazon-linux-2023-(x86|arm64)/x\\.x\\.x$", aws_imagebuilder_image_recipe.golden_ami.parent_image))
    error_message = "The recipe must start from the newest managed Amazon Linux 2023 image."
  }
  assert {
    condition     = one([for b in aws_imagebuilder_image_recipe.golden_ami.block_device_mapping : b.ebs[0].encrypted]) == "true"
    error_message = "The image's root volume must be encrypted."
  }
  assert {
    condition     = length(aws_imagebuilder_image_recipe.golden_ami.component) == 5
    error_message = "The recipe must run every configured component."
  }
  assert {
    condition     = aws_imagebuilder_infrastructure_configuration.golden_ami.terminate_instance_on_failure
    error_message = "Failed builds must terminate their instance by default."
  }
  assert {
    condition     = aws_imagebuilder_infrastructure_configuration.golden_ami.instance_metadata_options[0].http_tokens == "required"
    error_message = "Build instances must require IMDSv2."
  }
  assert {
    condition     = aws_imagebuilder_infrastructure_configuration.golden_ami.logging[0].s3_logs[0].s3_key_prefix == "image-builder"
    error_message = "Build logs must go under the image-builder/ prefix, which has its own lifecycle rule."
  }
  assert {
    condition     = aws_vpc_security_group_egress_rule.golden_ami_builder_https_to_0_0_0_0_0.from_port == 443 && aws_vpc_security_group_egress_rule.golden_ami_builder_https_to_0_0_0_0_0.to_port == 443
    error_message = "The build instances may leave on HTTPS only."
  }
  assert {
    condition     = aws_imagebuilder_image.golden_ami.image_tests_configuration[0].image_tests_enabled
    error_message = "The image must be tested before it becomes available."
  }
}

run "plan_every_build_publishes_its_ami" {
  command = plan

  assert {
    condition = [
      for d in aws_imagebuilder_distribution_configuration.golden_ami.distribution : [for p in d.ssm_parameter_configuration : [p.parameter_name, p.data_type]]
      if d.region == regex("^(.+)[a-z]$", aws_subnet.network_private_0.availability_zone)[0]
    ] == [[[aws_ssm_parameter.golden_ami_image_id.name, "aws:ec2:image"]]]
    error_message = "The distribution must write every build's AMI ID to the golden AMI parameter, as an aws:ec2:image value, in the environment's region."
  }
  assert {
    condition     = alltrue([for d in aws_imagebuilder_distribution_configuration.golden_ami.distribution : length(d.ssm_parameter_configuration) == 0 if d.region != regex("^(.+)[a-z]$", aws_subnet.network_private_0.availability_zone)[0]])
    error_message = "Copies in other regions must not write a parameter: the environment's instances launch in its own region."
  }
  assert {
    condition     = startswith(aws_ssm_parameter.golden_ami_image_id.name, "/imagebuilder/") && aws_ssm_parameter.golden_ami_image_id.type == "String" && aws_ssm_parameter.golden_ami_image_id.data_type == "aws:ec2:image"
    error_message = "The parameter must be an aws:ec2:image String under /imagebuilder/, the only parameters Image Builder's service-linked role may write."
  }
  assert {
    condition     = aws_ssm_parameter.golden_ami_image_id.overwrite
    error_message = "Terraform must adopt the parameter the image it builds has already written."
  }
}

run "apply_exports_the_ami_of_the_environment_region" {
  command = apply

  # Suites share state in one file: rebuild what the overrides below describe.
  plan_options {
    replace = [
      aws_imagebuilder_image.golden_ami,
      aws_ssm_parameter.golden_ami_image_id,
      aws_imagebuilder_image_recipe.golden_ami,
      aws_imagebuilder_component.golden_ami_codedeploy_agent,
      aws_imagebuilder_component.golden_ami_cloudwatch_agent,
      aws_imagebuilder_component.golden_ami_docker,
      aws_imagebuilder_component.golden_ami_nodejs,
      aws_imagebuilder_component.golden_ami_nginx,
    ]
  }

  # One AMI per region, in an order that puts others first: the stack must export its own region's.
  override_resource {
    target = aws_imagebuilder_image.golden_ami
    values = {
      arn = "arn:aws:imagebuilder:eu-west-1:123456789012:image/webapp-golden-ami/1.0.42/1"
      output_resources = [{
        amis = [
          { account_id = "123456789012", description = "copy", name = "copy", region = "ap-southeast-2", image = "ami-0a0a0a0a0a0a0a0a0" },
          { account_id = "123456789012", description = "copy", name = "copy", region = "us-west-2", image = "ami-0b0b0b0b0b0b0b0b0" },
          { account_id = "123456789012", description = "home", name = "home", region = "eu-west-1", image = "ami-0c0c0c0c0c0c0c0c0" },
          { account_id = "123456789012", description = "home", name = "home", region = "us-east-1", image = "ami-0d0d0d0d0d0d0d0d0" },
          { account_id = "123456789012", description = "home", name = "home", region = "eu-central-1", image = "ami-0e0e0e0e0e0e0e0e0" },
        ]
        containers = []
      }]
    }
  }
  override_resource {
    target = aws_imagebuilder_component.golden_ami_codedeploy_agent
    values = { arn = "arn:aws:imagebuilder:eu-west-1:123456789012:component/codedeploy-agent/1.0.1/1" }
  }
  override_resource {
    target = aws_imagebuilder_component.golden_ami_cloudwatch_agent
    values = { arn = "arn:aws:imagebuilder:eu-west-1:123456789012:component/cloudwatch-agent/1.0.2/1" }
  }
  override_resource {
    target = aws_imagebuilder_component.golden_ami_docker
    values = { arn = "arn:aws:imagebuilder:eu-west-1:123456789012:component/docker/1.0.3/1" }
  }
  override_resource {
    target = aws_imagebuilder_component.golden_ami_nodejs
    values = { arn = "arn:aws:imagebuilder:eu-west-1:123456789012:component/nodejs/1.0.4/1" }
  }
  override_resource {
    target = aws_imagebuilder_component.golden_ami_nginx
    values = { arn = "arn:aws:imagebuilder:eu-west-1:123456789012:component/nginx/1.0.5/1" }
  }

  assert {
    condition = output.golden_ami_id == {
      "eu-west-1"    = "ami-0c0c0c0c0c0c0c0c0"
      "us-east-1"    = "ami-0d0d0d0d0d0d0d0d0"
      "eu-central-1" = "ami-0e0e0e0e0e0e0e0e0"
    }[regex("^(.+)[a-z]$", aws_subnet.network_private_0.availability_zone)[0]]
    error_message = "golden_ami_id must be the image's AMI in the environment's own region."
  }
  assert {
    condition     = contains([for ami in aws_imagebuilder_image.golden_ami.output_resources[0].amis : ami.image], output.golden_ami_id)
    error_message = "golden_ami_id must be one of the image's AMIs."
  }
  assert {
    condition     = aws_ssm_parameter.golden_ami_image_id.insecure_value == output.golden_ami_id
    error_message = "The parameter must start with the AMI Terraform built."
  }
  assert {
    condition     = output.golden_ami_image_arn == aws_imagebuilder_image.golden_ami.arn
    error_message = "golden_ami_image_arn must be the image's ARN."
  }
  assert {
    condition = [for c in aws_imagebuilder_image_recipe.golden_ami.component : c.component_arn] == [
      aws_imagebuilder_component.golden_ami_codedeploy_agent.arn,
      aws_imagebuilder_component.golden_ami_cloudwatch_agent.arn,
      aws_imagebuilder_component.golden_ami_docker.arn,
      aws_imagebuilder_component.golden_ami_nodejs.arn,
      aws_imagebuilder_component.golden_ami_nginx.arn,
    ]
    error_message = "The recipe must run the components in their fixed order."
  }
  assert {
    condition = (
      aws_imagebuilder_image.golden_ami.image_recipe_arn == aws_imagebuilder_image_recipe.golden_ami.arn &&
      aws_imagebuilder_image.golden_ami.infrastructure_configuration_arn == aws_imagebuilder_infrastructure_configuration.golden_ami.arn &&
      aws_imagebuilder_image.golden_ami.distribution_configuration_arn == aws_imagebuilder_distribution_configuration.golden_ami.arn
    )
    error_message = "The image must be built from the recipe, infrastructure and distribution of the stack."
  }
  assert {
    condition     = one([for b in aws_imagebuilder_image_recipe.golden_ami.block_device_mapping : b.ebs[0].kms_key_id]) == aws_kms_key.environment_key.arn
    error_message = "The root volume must be encrypted with the environment key."
  }
  assert {
    condition = (
      aws_imagebuilder_infrastructure_configuration.golden_ami.subnet_id == aws_subnet.network_private_0.id &&
      aws_imagebuilder_infrastructure_configuration.golden_ami.security_group_ids == toset([aws_security_group.golden_ami_builder.id]) &&
      aws_imagebuilder_infrastructure_configuration.golden_ami.instance_profile_name == aws_iam_instance_profile.golden_ami_role.name
    )
    error_message = "Builds must run in the first private subnet, in their own security group, with their own instance profile."
  }
  assert {
    condition     = aws_imagebuilder_infrastructure_configuration.golden_ami.logging[0].s3_logs[0].s3_bucket_name == aws_s3_bucket.artifacts_bucket.bucket
    error_message = "Build logs must go to the artifact bucket."
  }
  assert {
    condition     = contains([for d in aws_imagebuilder_distribution_configuration.golden_ami.distribution : d.region], regex("^(.+)[a-z]$", aws_subnet.network_private_0.availability_zone)[0])
    error_message = "The distribution must publish the AMI in the environment's own region."
  }
}

run "plan_a_later_build_leaves_the_parameter_to_image_builder" {
  command = plan

  # A rebuild (content change, -replace): the build itself writes its AMI to the parameter through
  # the distribution; Terraform must not plan a change of the value, now or after a scheduled build.
  plan_options {
    replace = [aws_imagebuilder_image.golden_ami]
  }
  override_resource {
    target          = aws_imagebuilder_image.golden_ami
    override_during = plan
    values = {
      output_resources = [{
        amis = [for region in ["eu-west-1", "us-east-1", "eu-central-1"] : { account_id = "123456789012", description = "next", name = "next", region = region, image = "ami-0f0f0f0f0f0f0f0f0" }]
        containers = []
      }]
    }
  }

  assert {
    condition     = output.golden_ami_id == "ami-0f0f0f0f0f0f0f0f0"
    error_message = "The rebuild must be Terraform's new image."
  }
  assert {
    condition = aws_ssm_parameter.golden_ami_image_id.insecure_value == {
      "eu-west-1"    = "ami-0c0c0c0c0c0c0c0c0"
      "us-east-1"    = "ami-0d0d0d0d0d0d0d0d0"
      "eu-central-1" = "ami-0e0e0e0e0e0e0e0e0"
    }[regex("^(.+)[a-z]$", aws_subnet.network_private_0.availability_zone)[0]]
    error_message = "Terraform must leave the parameter's value to Image Builder (ignore_changes): it keeps the value of the previous apply."
  }
}
