# Host stacks with host.deploy: the project's SSM document, the instance ID the workflow targets, and the workflow role's grant to send that document to that instance only.
# requires: aws_ssm_document.deploy_document aws_ssm_parameter.release_parameters_host_instance_id aws_instance.host_instance data.aws_iam_policy_document.github_actions_role_policy data.aws_iam_policy_document.host_role_policy

run "apply_deploy_document" {
  command = apply

  assert {
    condition     = aws_ssm_document.deploy_document.document_type == "Command" && jsondecode(aws_ssm_document.deploy_document.content).mainSteps[0].action == "aws:runShellScript"
    error_message = "The deploy document is a Command document running a shell script."
  }
  assert {
    condition     = jsondecode(aws_ssm_document.deploy_document.content).parameters.imageDigest.allowedPattern == "^sha256:[0-9a-f]{64}$"
    error_message = "SSM must check the digest parameter before the script sees it."
  }
  assert {
    condition     = strcontains(join("\n", jsondecode(aws_ssm_document.deploy_document.content).mainSteps[0].inputs.runCommand), aws_ecr_repository.artifacts_repository.repository_url) && strcontains(join("\n", jsondecode(aws_ssm_document.deploy_document.content).mainSteps[0].inputs.runCommand), "--write-out '%%{http_code}'")
    error_message = "The script names the environment's repository, and the shell's own percent-brace survives Terraform."
  }
  assert {
    condition     = aws_ssm_parameter.release_parameters_host_instance_id.value == aws_instance.host_instance.id
    error_message = "The workflow finds the host through this parameter."
  }
  assert {
    condition     = anytrue([for s in data.aws_iam_policy_document.github_actions_role_policy.statement : contains(s.actions, "ssm:SendCommand") && length(s.resources) == 2 && anytrue([for r in s.resources : endswith(r, ":document/${aws_ssm_document.deploy_document.name}")]) && anytrue([for r in s.resources : endswith(r, ":instance/${aws_instance.host_instance.id}")])])
    error_message = "The workflow role may send the deploy document, to the environment's instance, and nothing else."
  }
  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.github_actions_role_policy.statement : !contains(s.actions, "ssm:SendCommand") || !contains(s.resources, "*")])
    error_message = "SendCommand must never be granted on every document or instance."
  }
  assert {
    condition     = output.deploy_document_name == aws_ssm_document.deploy_document.name
    error_message = "The document name must be an output."
  }
}
