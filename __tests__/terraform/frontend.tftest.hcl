# Environments with a static front end (frontend.enabled): S3 + CloudFront with origin access control.
# requires: aws_cloudfront_distribution.frontend_cdn_distribution aws_cloudfront_origin_access_control.frontend aws_s3_bucket_policy.frontend_bucket data.aws_iam_policy_document.frontend_bucket_policy

run "plan_frontend" {
  command = plan

  assert {
    condition     = aws_cloudfront_origin_access_control.frontend.signing_behavior == "always" && aws_cloudfront_origin_access_control.frontend.signing_protocol == "sigv4" && aws_cloudfront_origin_access_control.frontend.origin_access_control_origin_type == "s3"
    error_message = "The origin access control must sign every request to S3 with SigV4."
  }
  assert {
    condition     = aws_cloudfront_distribution.frontend_cdn_distribution.default_root_object == "index.html" && aws_cloudfront_distribution.frontend_cdn_distribution.default_cache_behavior[0].viewer_protocol_policy == "redirect-to-https"
    error_message = "The site serves index.html at / and moves viewers to HTTPS."
  }
  assert {
    condition     = toset([for r in aws_cloudfront_distribution.frontend_cdn_distribution.custom_error_response : r.error_code if r.response_code == 200 && r.response_page_path == "/index.html"]) == toset([403, 404])
    error_message = "403 and 404 must fall back to /index.html with status 200 (single-page application)."
  }
  assert {
    condition     = aws_cloudfront_distribution.frontend_cdn_distribution.default_cache_behavior[0].cache_policy_id == "658327ea-f89d-4fab-a63d-7e88639e58f6" && aws_cloudfront_distribution.frontend_cdn_distribution.default_cache_behavior[0].response_headers_policy_id == "67f7725c-6f97-4210-82d7-5512b31e9d03"
    error_message = "Static files use the managed CachingOptimized and SecurityHeadersPolicy policies."
  }
  assert {
    condition     = aws_s3_bucket_public_access_block.frontend_bucket.block_public_policy && aws_s3_bucket_public_access_block.frontend_bucket.restrict_public_buckets && aws_s3_bucket_public_access_block.frontend_bucket.block_public_acls && aws_s3_bucket_public_access_block.frontend_bucket.ignore_public_acls
    error_message = "The site bucket stays private: all four public access block flags."
  }
}

run "apply_frontend" {
  command = apply

  assert {
    condition     = one(aws_cloudfront_distribution.frontend_cdn_distribution.origin[*].origin_access_control_id) == aws_cloudfront_origin_access_control.frontend.id && one(aws_cloudfront_distribution.frontend_cdn_distribution.origin[*].domain_name) == aws_s3_bucket.frontend_bucket.bucket_regional_domain_name
    error_message = "CloudFront must reach the site bucket through the origin access control."
  }
  assert {
    condition = anytrue([
      for s in data.aws_iam_policy_document.frontend_bucket_policy.statement :
      s.effect != "Deny" && length(s.actions) == 1 && contains(s.actions, "s3:GetObject") &&
      anytrue([for p in s.principals : p.type == "Service" && contains(p.identifiers, "cloudfront.amazonaws.com")]) &&
      anytrue([for c in s.condition : c.test == "StringEquals" && c.variable == "AWS:SourceArn" && length(c.values) == 1 && contains(c.values, aws_cloudfront_distribution.frontend_cdn_distribution.arn)])
    ])
    error_message = "The bucket policy must let CloudFront read objects only on behalf of this distribution (AWS:SourceArn)."
  }
  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.frontend_bucket_policy.statement : s.effect == "Deny" || length(s.condition) > 0])
    error_message = "No statement of the site bucket's policy may allow access without a condition."
  }
  assert {
    condition     = aws_s3_bucket_policy.frontend_bucket.policy == data.aws_iam_policy_document.frontend_bucket_policy.json
    error_message = "The bucket policy is the checked document."
  }
  assert {
    condition     = output.frontend_distribution_id == aws_cloudfront_distribution.frontend_cdn_distribution.id && output.frontend_bucket_name == aws_s3_bucket.frontend_bucket.bucket
    error_message = "Outputs must name the distribution and the bucket."
  }
}
