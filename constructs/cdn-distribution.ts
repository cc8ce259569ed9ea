import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { Construct } from "constructs";
import { pin } from "../lib/address";

/**
 * AWS-managed CloudFront policies. Their IDs are the same in every account (they are AWS
 * resources, not the user's), so no lookup is needed.
 */
export const MANAGED_CACHE_POLICY = { cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6" } as const;
export const MANAGED_ORIGIN_REQUEST_POLICY = { allViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac" } as const;

export interface CdnDistributionProps {
  /** Distribution comment (shown in the console). */
  readonly comment: string;
  /** DNS name CloudFront connects to: the ALB's, or a name covered by its certificate. */
  readonly originDomainName: string;
  /** Connect to the origin over HTTPS (443) instead of HTTP (80). */
  readonly originHttps: boolean;
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
}

/**
 * CloudFront in front of a dynamic application: viewers are redirected to HTTPS, nothing is
 * cached except the given static paths, every viewer header, cookie and query string except Host
 * reaches the origin (so the origin's certificate is checked against its own name), TLS 1.2+ to
 * viewers with a custom certificate and to the origin.
 */
export class CdnDistribution extends Construct {
  public readonly domainName: string;
  public readonly hostedZoneId: string;
  public readonly distributionId: string;

  constructor(scope: Construct, id: string, props: CdnDistributionProps) {
    super(scope, id);
    const originId = "load-balancer";
    const behaviour = {
      targetOriginId: originId,
      viewerProtocolPolicy: "redirect-to-https",
      compress: true,
      originRequestPolicyId: MANAGED_ORIGIN_REQUEST_POLICY.allViewerExceptHostHeader,
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
        origin: [
          {
            originId,
            domainName: props.originDomainName,
            customOriginConfig: {
              httpPort: 80,
              httpsPort: 443,
              originProtocolPolicy: props.originHttps ? "https-only" : "http-only",
              originSslProtocols: ["TLSv1.2"],
              originReadTimeout: 60,
              originKeepaliveTimeout: 5,
            },
          },
        ],
        defaultCacheBehavior: {
          ...behaviour,
          allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
          cachedMethods: ["GET", "HEAD"],
          cachePolicyId: MANAGED_CACHE_POLICY.cachingDisabled,
        },
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
  }
}
