# Host stacks with githubActions: the OIDC role's trust conditions and its push-only grant on the environment's repository.
# requires: aws_iam_role.github_actions_role data.aws_iam_policy_document.github_actions_role_trust data.aws_iam_policy_document.github_actions_role_policy aws_instance.host_instance

run "plan_trust_conditions" {
  command = plan

  assert {
    condition     = length(data.aws_iam_policy_document.github_actions_role_trust.statement) == 1 && length(data.aws_iam_policy_document.github_actions_role_trust.statement[0].actions) == 1 && contains(data.aws_iam_policy_document.github_actions_role_trust.statement[0].actions, "sts:AssumeRoleWithWebIdentity")
    error_message = "The role is assumed with web identity only."
  }
  assert {
    condition     = anytrue([for c in data.aws_iam_policy_document.github_actions_role_trust.statement[0].condition : c.test == "StringEquals" && c.variable == "token.actions.githubusercontent.com:aud" && length(c.values) == 1 && contains(c.values, "sts.amazonaws.com")])
    error_message = "The token's audience must be sts.amazonaws.com."
  }
  assert {
    condition     = anytrue([for c in data.aws_iam_policy_document.github_actions_role_trust.statement[0].condition : c.test == "StringEquals" && c.variable == "token.actions.githubusercontent.com:sub" && length(c.values) > 0 && alltrue([for v in c.values : can(regex("^repo:[A-Za-z0-9-]+/[A-Za-z0-9._-]+:ref:refs/heads/[A-Za-z0-9._/-]+$", v))])])
    error_message = "The token's subject must name one repository and exact branches (StringEquals, no wildcards)."
  }
}

run "apply_push_grant" {
  command = apply

  assert {
    condition     = alltrue([for p in data.aws_iam_policy_document.github_actions_role_trust.statement[0].principals : p.type == "Federated" && alltrue([for id in p.identifiers : can(regex(":oidc-provider/token\\.actions\\.githubusercontent\\.com$", id))])])
    error_message = "The only principal is the account's GitHub OIDC provider."
  }
  assert {
    condition     = anytrue([for s in data.aws_iam_policy_document.github_actions_role_policy.statement : contains(s.actions, "ecr:PutImage") && length(s.resources) == 1 && contains(s.resources, aws_ecr_repository.artifacts_repository.arn)])
    error_message = "The role may push only to the environment's ECR repository."
  }
  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.github_actions_role_policy.statement : !contains(s.actions, "ecr:PutImage") || !contains(s.resources, "*")])
    error_message = "Pushing must never be granted on every repository."
  }
  assert {
    condition     = output.github_actions_role_arn == aws_iam_role.github_actions_role.arn
    error_message = "The role ARN must be an output."
  }
}
