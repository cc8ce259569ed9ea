# The us-east-1 provider (alias us_east_1) that a CloudFront web ACL, its log group and their key
# are created with. Prepended to every suite run on a stack with WAF on CloudFront.
# requires: aws_wafv2_web_acl.waf aws_cloudfront_distribution.cdn_distribution

mock_provider "aws" {
  alias = "us_east_1"
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
      arn        = "arn:aws:iam::123456789012:user/terraform-test"
      user_id    = "AIDAEXAMPLE"
    }
  }
  mock_resource "aws_kms_key" {
    defaults = {
      arn    = "arn:aws:kms:us-east-1:123456789012:key/7a1c2e3f-4b5d-4e6f-8a9b-0c1d2e3f4a5b"
      key_id = "7a1c2e3f-4b5d-4e6f-8a9b-0c1d2e3f4a5b"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-mocked"
    }
  }
  mock_resource "aws_wafv2_web_acl" {
    defaults = {
      arn = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/mocked/7a1c2e3f-4b5d-4e6f-8a9b-0c1d2e3f4a5b"
    }
  }
}
