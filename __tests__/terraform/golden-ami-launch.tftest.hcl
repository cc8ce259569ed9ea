# Runs against every fleet stack with a golden AMI.
# requires: aws_ssm_parameter.golden_ami_image_id aws_launch_template.fleet_template aws_imagebuilder_image.golden_ami
# excludes: data.aws_ssm_parameter.launch_image
# (With a mixed instances policy the template names the AMI ID read at plan time: fleet-capacity-golden-ami.tftest.hcl.)

run "plan_instances_launch_the_newest_build" {
  command = plan

  assert {
    condition     = aws_launch_template.fleet_template.image_id == "resolve:ssm:${aws_ssm_parameter.golden_ami_image_id.name}"
    error_message = "The launch template must resolve the golden AMI parameter at each launch, so scheduled builds reach new instances."
  }
  assert {
    condition     = output.golden_ami_parameter_name == aws_ssm_parameter.golden_ami_image_id.name
    error_message = "golden_ami_parameter_name must name the parameter the launch template resolves."
  }
}
