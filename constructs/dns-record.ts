import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Construct } from "constructs";
import { pin } from "../lib/address";

export interface DnsRecordProps {
  readonly hostedZoneId: string;
  /** Fully qualified name of the record. */
  readonly recordName: string;
  /** IPv4 addresses the name resolves to (for example an Elastic IP). */
  readonly addresses: readonly string[];
  /**
   * Time to live in seconds.
   * @default 300
   */
  readonly ttlSeconds?: number;
}

/** A Route53 A record to fixed IPv4 addresses (an alias record only targets AWS resources with DNS names). */
export class DnsRecord extends Construct {
  public readonly fqdn: string;

  constructor(scope: Construct, id: string, props: DnsRecordProps) {
    super(scope, id);
    if (props.addresses.length === 0) throw new Error(`${this.node.path}: addresses is empty; an A record needs at least one address`);
    const record = pin(
      this,
      new Route53Record(this, "a", { zoneId: props.hostedZoneId, name: props.recordName, type: "A", ttl: props.ttlSeconds ?? 300, records: [...props.addresses] }),
      "a",
    );
    this.fqdn = record.fqdn;
  }
}
