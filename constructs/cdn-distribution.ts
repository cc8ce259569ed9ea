import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { Construct } from "constructs";
import { pin } from "../lib/address";

/**
 * AWS-managed CloudFront policies. Their IDs are the same in every account (they are AWS
 * resources, not the user's), so no lookup is needed.
 */
export const MANAGED_CACHE_POLICY = { cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6" } as const;
export const MANAGED_ORIGIN_REQUEST_POLICY = { allViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac" } as const;
export const MANAGED_RESPONSE_HEADERS_POLICY = { securityHeaders: "67f7725c-6f97-4210-82d7-5512b31e9d03" } as const;

export interface CdnDistributionProps {
  /** Distribution comment (shown in the console). */
  readonly comment: string;
  /** DNS name CloudFront connects to: the ALB's, a name covered by its certificate, or an S3 bucket's regional domain name. */
  readonly originDomainName: string;
  /** Connect to the origin over HTTPS (443) instead of HTTP (80). S3 origins always use HTTPS. */
  readonly originHttps: boolean;
  /**
   * Makes the origin a private S3 bucket reached through this origin access control: every
   * behaviour then serves static content (GET/HEAD/OPTIONS, managed CachingOptimized, no
   * viewer headers forwarded to the bucket).
   * @default a custom origin (load balancer) that caches nothing but `staticPathPatterns`
   */
  readonly originAccessControlId?: string;
  /**
   * Headers CloudFront adds to every request to the origin (it overwrites a viewer's header of the
   * same name), e.g. the secret a load balancer checks (OriginSecret).
   * @default none
   */
  readonly originCustomHeaders?: readonly { readonly name: string; readonly value: string }[];
  /**
   * Object served for `/`.
   * @default none
   */
  readonly defaultRootObject?: string;
  /**
   * Single-page application fallback: 403 and 404 from the origin are answered with this path and
   * status 200, so client-side routes load the application.
   * @default none
   */
  readonly spaFallbackPath?: string;
  /**
   * Response headers policy of every behaviour.
   * @default none
   */
  readonly responseHeadersPolicyId?: string;
  /**
   * Custom names; they need `certificateArn`.
   * @default none (the *.cloudfront.net name only)
   */
  readonly aliases?: readonly string[];
  /**
   * ACM certificate in us-east-1 for the aliases.
   * @default CloudFront's default certificate
   */
  readonly certificateArn?: string;
  /** @default "PriceClass_100" */
  readonly priceClass?: string;
  /**
   * Paths served with the managed CachingOptimized policy; the rest is not cached.
   * @default none
   */
  readonly staticPathPatterns?: readonly string[];
  /**
   * ARN of a WAFv2 web ACL of scope CLOUDFRONT (in us-east-1) that inspects every request.
   * @default none
   */
  readonly webAclArn?: string;
}

/**
 * CloudFront in front of a dynamic application (or, with `originAccessControlId`, of a private S3 bucket): viewers are redirected to HTTPS, nothing is
 * cached except the given static paths, every viewer header, cookie and query string except Host
 * reaches the origin (so the origin's certificate is checked against its own name), TLS 1.2+ to
 * viewers with a custom certificate and to the origin.
 */
export class CdnDistribution extends Construct {
  public readonly domainName: string;
  public readonly hostedZoneId: string;
  public readonly distributionId: string;
  public readonly distributionArn: string;

  constructor(scope: Construct, id: string, props: CdnDistributionProps) {
    super(scope, id);
    const s3 = props.originAccessControlId !== undefined;
    const originId = s3 ? "site-bucket" : "load-balancer";
    const behaviour = {
      targetOriginId: originId,
      viewerProtocolPolicy: "redirect-to-https",
      compress: true,
      originRequestPolicyId: s3 ? undefined : MANAGED_ORIGIN_REQUEST_POLICY.allViewerExceptHostHeader,
      responseHeadersPolicyId: props.responseHeadersPolicyId,
    };
    const customHeader = props.originCustomHeaders && props.originCustomHeaders.length > 0 ? props.originCustomHeaders.map(({ name, value }) => ({ name, value })) : undefined;
    const origin = s3
      ? { originId, domainName: props.originDomainName, originAccessControlId: props.originAccessControlId, customHeader }
      : {
          originId,
          domainName: props.originDomainName,
          customHeader,
          customOriginConfig: {
            httpPort: 80,
            httpsPort: 443,
            originProtocolPolicy: props.originHttps ? "https-only" : "http-only",
            originSslProtocols: ["TLSv1.2"],
            originReadTimeout: 60,
            originKeepaliveTimeout: 5,
          },
        };
    const distribution = pin(
      this,
      new CloudfrontDistribution(this, "distribution", {
        comment: props.comment,
        enabled: true,
        isIpv6Enabled: true,
        httpVersion: "http2and3",
        priceClass: props.priceClass ?? "PriceClass_100",
        aliases: props.aliases && props.aliases.length > 0 ? [...props.aliases] : undefined,
        defaultRootObject: props.defaultRootObject,
        // WAFv2 ACLs are named by ARN here (web_acl_id takes the ARN for WAFv2, the ID for WAF Classic).
        webAclId: props.webAclArn,
        origin: [origin],
        defaultCacheBehavior: {
          ...behaviour,
          allowedMethods: s3 ? ["GET", "HEAD", "OPTIONS"] : ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
          cachedMethods: ["GET", "HEAD"],
          cachePolicyId: s3 ? MANAGED_CACHE_POLICY.cachingOptimized : MANAGED_CACHE_POLICY.cachingDisabled,
        },
        customErrorResponse: props.spaFallbackPath
          ? [403, 404].map((errorCode) => ({ errorCode, responseCode: 200, responsePagePath: props.spaFallbackPath, errorCachingMinTtl: 10 }))
          : undefined,
        orderedCacheBehavior: (props.staticPathPatterns ?? []).map((pathPattern) => ({
          ...behaviour,
          pathPattern,
          allowedMethods: ["GET", "HEAD"],
          cachedMethods: ["GET", "HEAD"],
          cachePolicyId: MANAGED_CACHE_POLICY.cachingOptimized,
        })),
        restrictions: { geoRestriction: { restrictionType: "none" } },
        viewerCertificate: props.certificateArn
          ? { acmCertificateArn: props.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" }
          : { cloudfrontDefaultCertificate: true },
      }),
      "distribution",
    );
    this.domainName = distribution.domainName;
    this.hostedZoneId = distribution.hostedZoneId;
    this.distributionId = distribution.id;
    this.distributionArn = distribution.arn;
  }
}
