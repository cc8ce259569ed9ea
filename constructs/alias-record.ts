import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Construct } from "constructs";
import { pin } from "../lib/address";

export interface AliasRecordProps {
  readonly hostedZoneId: string;
  /** Fully qualified name of the record. */
  readonly recordName: string;
  /** DNS name of the target (ALB or CloudFront distribution). */
  readonly targetDnsName: string;
  /** Hosted zone of the target (the ALB's or CloudFront's). */
  readonly targetZoneId: string;
  /**
   * Also publish an AAAA record (targets that serve IPv6, such as CloudFront).
   * @default false
   */
  readonly ipv6?: boolean;
  /**
   * Route53 checks the target's health.
   * @default true
   */
  readonly evaluateTargetHealth?: boolean;
}

/** A Route53 alias (A, and AAAA when the target serves IPv6) to a load balancer or distribution. */
export class AliasRecord extends Construct {
  public readonly fqdn: string;

  constructor(scope: Construct, id: string, props: AliasRecordProps) {
    super(scope, id);
    const types = props.ipv6 ? ["A", "AAAA"] : ["A"];
    const records = types.map((type) =>
      pin(
        this,
        new Route53Record(this, type.toLowerCase(), {
          zoneId: props.hostedZoneId,
          name: props.recordName,
          type,
          alias: { name: props.targetDnsName, zoneId: props.targetZoneId, evaluateTargetHealth: props.evaluateTargetHealth ?? true },
        }),
        type.toLowerCase(),
      ),
    );
    this.fqdn = records[0].fqdn;
  }
}
