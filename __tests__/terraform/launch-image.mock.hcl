# The AMI ID a launch template names when its group has a mixed instances policy: read at plan time
# from the image's SSM parameter (stacks/environment-parts.ts, launchImage; a mocked data source
# would return a random string). Prepended to every suite run on such a stack.
# requires: data.aws_ssm_parameter.launch_image

override_data {
  target = data.aws_ssm_parameter.launch_image
  values = {
    insecure_value = "ami-0123456789abcdef0"
  }
}
