# The host stack that creates the account's GitHub OIDC provider (githubActions.createOidcProvider).
# requires: aws_iam_openid_connect_provider.github_actions_oidc_provider aws_iam_role.github_actions_role

run "apply_oidc_provider" {
  command = apply

  assert {
    condition     = aws_iam_openid_connect_provider.github_actions_oidc_provider.url == "https://token.actions.githubusercontent.com" && length(aws_iam_openid_connect_provider.github_actions_oidc_provider.client_id_list) == 1 && contains(aws_iam_openid_connect_provider.github_actions_oidc_provider.client_id_list, "sts.amazonaws.com")
    error_message = "The provider must be GitHub's issuer with the STS audience."
  }
  assert {
    condition     = anytrue([for p in data.aws_iam_policy_document.github_actions_role_trust.statement[0].principals : p.type == "Federated" && contains(p.identifiers, aws_iam_openid_connect_provider.github_actions_oidc_provider.arn)])
    error_message = "The role must trust the provider this stack creates."
  }
}
