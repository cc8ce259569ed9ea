# fleet.purchase with a golden AMI: the launch template names the AMI ID read at plan time from the
# golden AMI's own parameter (through the parameter resource, so the first apply waits for it), and
# the output still names that parameter.
# requires: data.aws_ssm_parameter.launch_image aws_ssm_parameter.golden_ami_image_id aws_launch_template.fleet_template

run "plan_mixed_instances_golden_ami" {
  command = plan

  assert {
    condition     = data.aws_ssm_parameter.launch_image.name == aws_ssm_parameter.golden_ami_image_id.name
    error_message = "The AMI ID must come from the golden AMI's parameter, the one every build updates."
  }
  assert {
    condition     = aws_launch_template.fleet_template.image_id == data.aws_ssm_parameter.launch_image.insecure_value
    error_message = "The launch template must name the AMI ID read from the golden AMI's parameter."
  }
  assert {
    condition     = output.golden_ami_parameter_name == aws_ssm_parameter.golden_ami_image_id.name
    error_message = "golden_ami_parameter_name must name the parameter the AMI ID is read from."
  }
}
