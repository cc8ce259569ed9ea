# Runs against stacks whose golden AMI is rebuilt by a scheduled pipeline.
# requires: aws_imagebuilder_image_pipeline.golden_ami aws_imagebuilder_image.golden_ami

run "plan_pipeline" {
  command = plan

  assert {
    condition     = can(regex("^cron\\(\\S+ \\S+ \\S+ \\S+ \\S+ \\S+\\)$", aws_imagebuilder_image_pipeline.golden_ami.schedule[0].schedule_expression))
    error_message = "The pipeline schedule must be an Image Builder six-field cron expression."
  }
  assert {
    condition     = aws_imagebuilder_image_pipeline.golden_ami.status == "ENABLED"
    error_message = "The pipeline must be enabled."
  }
  assert {
    condition     = aws_imagebuilder_image_pipeline.golden_ami.image_tests_configuration[0].image_tests_enabled == aws_imagebuilder_image.golden_ami.image_tests_configuration[0].image_tests_enabled
    error_message = "Scheduled builds must test like the image Terraform builds."
  }
}

run "apply_pipeline_builds_the_same_image" {
  command = apply

  assert {
    condition = (
      aws_imagebuilder_image_pipeline.golden_ami.image_recipe_arn == aws_imagebuilder_image.golden_ami.image_recipe_arn &&
      aws_imagebuilder_image_pipeline.golden_ami.infrastructure_configuration_arn == aws_imagebuilder_image.golden_ami.infrastructure_configuration_arn &&
      aws_imagebuilder_image_pipeline.golden_ami.distribution_configuration_arn == aws_imagebuilder_image.golden_ami.distribution_configuration_arn
    )
    error_message = "The pipeline must build the recipe, on the infrastructure and with the distribution of the image Terraform builds."
  }
  assert {
    condition     = output.golden_ami_pipeline_arn == aws_imagebuilder_image_pipeline.golden_ami.arn
    error_message = "golden_ami_pipeline_arn must be the pipeline's ARN."
  }
}
