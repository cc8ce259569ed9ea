import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { AliasRecord } from "./alias-record";
import { Bucket } from "./bucket";
import { CdnDistribution, MANAGED_RESPONSE_HEADERS_POLICY } from "./cdn-distribution";
import { Role } from "./role";

export interface StaticSiteProps {
  /** `<app>-<environment>`; names the bucket prefix (`<prefix>-site-`) and the origin access control. */
  readonly namePrefix: string;
  /**
   * Custom domain; needs `certificateArn`.
   * @default the distribution's *.cloudfront.net name only
   */
  readonly domainName?: string;
  /**
   * ACM certificate in us-east-1 covering `domainName`.
   * @default CloudFront's default certificate
   */
  readonly certificateArn?: string;
  /**
   * Hosted zone for A/AAAA aliases of `domainName`.
   * @default no DNS records
   */
  readonly hostedZoneId?: string;
  /** @default "PriceClass_100" */
  readonly priceClass?: string;
  /**
   * Days old object versions are kept (rollback of a deployment).
   * @default 30
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Let `terraform destroy` delete a bucket that still holds files.
   * @default false
   */
  readonly forceDestroy?: boolean;
}

/**
 * A single-page application: a private, versioned bucket (SSE-S3) that only this site's CloudFront
 * distribution may read, through an origin access control that signs every request (SigV4) and a
 * bucket policy bound to the distribution's ARN; `index.html` at the root and for every 403/404
 * (client-side routes), managed CachingOptimized and SecurityHeadersPolicy, HTTPS for viewers, and
 * an optional custom domain with Route53 aliases.
 */
export class StaticSite extends Construct {
  public readonly bucket: Bucket;
  public readonly distribution: CdnDistribution;
  /** `https://<domain>` (custom domain, or the distribution's). */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: StaticSiteProps) {
    super(scope, id);
    if (props.domainName && !props.certificateArn) throw new Error(`${this.node.path}: domainName ${props.domainName} needs a certificateArn (an ACM certificate in us-east-1)`);
    if (props.certificateArn && !props.certificateArn.includes(":acm:us-east-1:")) {
      throw new Error(`${this.node.path}: certificateArn ${props.certificateArn}; allowed: a certificate in us-east-1 (CloudFront only uses that region's)`);
    }
    if (props.hostedZoneId && !props.domainName) throw new Error(`${this.node.path}: hostedZoneId needs a domainName for the alias records`);

    // SSE-S3, not the environment key: the files are public once served, and a key policy bound to
    // the distribution would make the environment key wait for CloudFront (docs/decisions.md).
    this.bucket = new Bucket(this, childId(this, "bucket"), {
      bucketPrefix: `${props.namePrefix}-site-`,
      forceDestroy: props.forceDestroy ?? false,
      lifecycleRules: [{ id: "old-versions-and-uploads", noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays ?? 30, abortIncompleteMultipartUploadDays: 7 }],
    });

    const oac = pin(
      this,
      new CloudfrontOriginAccessControl(this, "origin-access-control", {
        name: `${props.namePrefix}-site`,
        description: `CloudFront reads the site bucket of ${props.namePrefix}`,
        originAccessControlOriginType: "s3",
        signingBehavior: "always",
        signingProtocol: "sigv4",
      }),
    );

    this.distribution = new CdnDistribution(this, childId(this, "cdn"), {
      comment: `${props.namePrefix} front end`,
      originDomainName: this.bucket.bucketRegionalDomainName,
      originHttps: true,
      originAccessControlId: oac.id,
      defaultRootObject: "index.html",
      spaFallbackPath: "/index.html",
      responseHeadersPolicyId: MANAGED_RESPONSE_HEADERS_POLICY.securityHeaders,
      aliases: props.domainName ? [props.domainName] : undefined,
      certificateArn: props.certificateArn,
      priceClass: props.priceClass,
    });

    this.bucket.addToResourcePolicy({
      sid: "CloudFrontReadsThroughOriginAccessControl",
      actions: ["s3:GetObject"],
      resources: [`${this.bucket.bucketArn}/*`],
      principals: [{ type: "Service", identifiers: ["cloudfront.amazonaws.com"] }],
      conditions: [{ test: "StringEquals", variable: "AWS:SourceArn", values: [this.distribution.distributionArn] }],
    });

    if (props.domainName && props.hostedZoneId) {
      new AliasRecord(this, childId(this, "dns"), {
        hostedZoneId: props.hostedZoneId,
        recordName: props.domainName,
        targetDnsName: this.distribution.domainName,
        targetZoneId: this.distribution.hostedZoneId,
        ipv6: true,
        evaluateTargetHealth: false,
      });
    }
    this.url = `https://${props.domainName ?? this.distribution.domainName}`;
  }

  /** Lets `role` publish the site: write and delete objects (a deployment job syncing the build output). */
  public grantDeploy(role: Role): void {
    this.bucket.grantReadWrite(role);
    role.addToPolicy({ actions: ["s3:DeleteObject"], resources: [`${this.bucket.bucketArn}/*`] });
    role.addToPolicy({ actions: ["cloudfront:CreateInvalidation"], resources: [this.distribution.distributionArn] });
  }
}
