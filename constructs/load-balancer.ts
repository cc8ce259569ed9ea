import { DataAwsElbServiceAccount } from "@cdktf/provider-aws/lib/data-aws-elb-service-account";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener, LbListenerDefaultAction } from "@cdktf/provider-aws/lib/lb-listener";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { AccountContext } from "./account-context";
import { Bucket } from "./bucket";
import { SecurityGroup } from "./security-group";

/** Priority of the rule that admits requests carrying {@link LoadBalancerProps.requiredHeader}. */
export const REQUIRED_HEADER_RULE_PRIORITY = 1;

export interface LoadBalancerProps {
  /** `<app>-<environment>` (or `<app>-shared`); the ALB is `<prefix>-alb`. */
  readonly namePrefix: string;
  /** Public subnets, one per zone. */
  readonly subnetIds: readonly string[];
  readonly securityGroup: SecurityGroup;
  /**
   * Certificate of the HTTPS listener. With one, port 80 only redirects to 443.
   * @default no HTTPS listener
   */
  readonly certificateArn?: string;
  /**
   * TLS policy of the HTTPS listener.
   * @default "ELBSecurityPolicy-TLS13-1-2-2021-06"
   */
  readonly sslPolicy?: string;
  /**
   * Where requests go when no rule matches: a target group, or a plain 404 (shared load balancers,
   * whose environments add host rules).
   * @default 404
   */
  readonly defaultTargetGroupArn?: string;
  /**
   * A header every request must carry with this exact value (the secret a CloudFront distribution
   * adds to its origin requests, OriginSecret): the serving listener answers 403 by default, and a
   * rule at priority {@link REQUIRED_HEADER_RULE_PRIORITY} forwards requests that carry it to
   * `defaultTargetGroupArn` (required with it).
   * @default no header required
   */
  readonly requiredHeader?: { readonly name: string; readonly value: string };
  /** @default 60 */
  readonly idleTimeoutSeconds?: number;
  /** @default true */
  readonly deletionProtection?: boolean;
  /** Days access logs are kept. @default 90 */
  readonly accessLogExpirationDays?: number;
  /** Let `terraform destroy` empty the access log bucket. @default false */
  readonly forceDestroyLogs?: boolean;
  /**
   * A second listener for testing a blue/green fleet before traffic moves to it, on its own port
   * and behind its own security group (the load balancer gets it besides `securityGroup`).
   * @default no test listener
   */
  readonly testListener?: TestListenerOptions;
}

/** A test listener: same protocol as the serving listener (HTTPS with its certificate, else HTTP). */
export interface TestListenerOptions {
  /** Port of the listener; never 80 or 443 (the serving listeners). */
  readonly port: number;
  /** Where every request on the port goes. */
  readonly targetGroupArn: string;
  /** Admits the testers on `port`; attached to the load balancer. */
  readonly securityGroup: SecurityGroup;
}

/**
 * An internet-facing Application Load Balancer: invalid header fields dropped, access logs to a
 * bucket of its own (SSE-S3: the only encryption ALB log delivery supports), deletion protection,
 * an HTTPS listener with a TLS 1.2+ policy when a certificate is given and an HTTP listener that
 * then only redirects.
 */
export class LoadBalancer extends Construct {
  public readonly loadBalancerArn: string;
  public readonly dnsName: string;
  public readonly zoneId: string;
  /** For CloudWatch dimensions (`app/<name>/<id>`). */
  public readonly arnSuffix: string;
  /** The listener that serves the application: HTTPS when a certificate is set, else HTTP. */
  public readonly serviceListenerArn: string;
  public readonly https: boolean;
  public readonly securityGroup: SecurityGroup;
  /** The test listener, when {@link LoadBalancerProps.testListener} is set. */
  public readonly testListenerArn?: string;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const context = AccountContext.of(this);
    this.https = props.certificateArn !== undefined;
    this.securityGroup = props.securityGroup;
    const test = props.testListener;
    if (test && (test.port === 80 || test.port === 443 || !Number.isInteger(test.port) || test.port < 1 || test.port > 65535)) {
      throw new Error(`${this.node.path}: testListener.port: received ${test.port}; allowed: a TCP port other than 80 and 443 (the serving listeners)`);
    }

    const logs = new Bucket(this, childId(this, "logs"), {
      bucketPrefix: `${props.namePrefix}-alb-logs-`,
      forceDestroy: props.forceDestroyLogs ?? false,
      lifecycleRules: [{ id: "expire-access-logs", expirationDays: props.accessLogExpirationDays ?? 90, noncurrentVersionExpirationDays: 7, abortIncompleteMultipartUploadDays: 7 }],
    });
    // Regions older than August 2022 deliver with a regional ELB account, newer ones with the
    // log delivery service principal; admitting both works everywhere.
    const elbAccount = pin(this, new DataAwsElbServiceAccount(this, "elb-account"), "elb");
    const logObjects = `${logs.bucketArn}/AWSLogs/${context.accountId}/*`;
    logs.addToResourcePolicy(
      { sid: "ElbAccountLogDelivery", actions: ["s3:PutObject"], resources: [logObjects], principals: [{ type: "AWS", identifiers: [elbAccount.arn] }] },
      { sid: "ElbServiceLogDelivery", actions: ["s3:PutObject"], resources: [logObjects], principals: [{ type: "Service", identifiers: ["logdelivery.elasticloadbalancing.amazonaws.com"] }] },
    );

    const alb = pin(
      this,
      new Lb(this, "alb", {
        name: `${props.namePrefix}-alb`,
        loadBalancerType: "application",
        internal: false,
        subnets: [...props.subnetIds],
        securityGroups: [props.securityGroup.securityGroupId, ...(test ? [test.securityGroup.securityGroupId] : [])],
        dropInvalidHeaderFields: true,
        enableDeletionProtection: props.deletionProtection ?? true,
        idleTimeout: props.idleTimeoutSeconds ?? 60,
        accessLogs: { bucket: logs.bucketName, enabled: true },
        // ALB checks that it may write to the bucket when access logs are switched on.
        dependsOn: [logs.policyResource],
      }),
      "alb",
    );
    this.loadBalancerArn = alb.arn;
    this.dnsName = alb.dnsName;
    this.zoneId = alb.zoneId;
    this.arnSuffix = alb.arnSuffix;

    if (props.requiredHeader && !props.defaultTargetGroupArn) {
      throw new Error(`${this.node.path}: requiredHeader needs defaultTargetGroupArn, the group requests that carry the header are forwarded to`);
    }
    const serve: LbListenerDefaultAction = props.requiredHeader
      ? { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "403", messageBody: "Forbidden" } }
      : props.defaultTargetGroupArn
        ? { type: "forward", targetGroupArn: props.defaultTargetGroupArn }
        : { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "Not found" } };

    const http = pin(
      this,
      new LbListener(this, "http", {
        loadBalancerArn: alb.arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: [this.https ? { type: "redirect", redirect: { port: "443", protocol: "HTTPS", statusCode: "HTTP_301" } } : serve],
      }),
      "http",
    );
    if (props.certificateArn) {
      const https = pin(
        this,
        new LbListener(this, "https", {
          loadBalancerArn: alb.arn,
          port: 443,
          protocol: "HTTPS",
          sslPolicy: props.sslPolicy ?? "ELBSecurityPolicy-TLS13-1-2-2021-06",
          certificateArn: props.certificateArn,
          defaultAction: [serve],
        }),
        "https",
      );
      this.serviceListenerArn = https.arn;
    } else {
      this.serviceListenerArn = http.arn;
    }

    if (test) {
      // Requests on the test port skip the CloudFront header check: its security group admits only
      // the configured CIDRs, and the port serves the new fleet only while a deployment waits.
      const listener = pin(
        this,
        new LbListener(this, "test", {
          loadBalancerArn: alb.arn,
          port: test.port,
          protocol: this.https ? "HTTPS" : "HTTP",
          sslPolicy: this.https ? (props.sslPolicy ?? "ELBSecurityPolicy-TLS13-1-2-2021-06") : undefined,
          certificateArn: props.certificateArn,
          defaultAction: [{ type: "forward", targetGroupArn: test.targetGroupArn }],
        }),
        "test",
      );
      this.testListenerArn = listener.arn;
    }

    if (props.requiredHeader) {
      pin(
        this,
        new LbListenerRule(this, "required-header", {
          listenerArn: this.serviceListenerArn,
          priority: REQUIRED_HEADER_RULE_PRIORITY,
          // Header names compare case-insensitively; so do the values (ALB "HTTP header conditions").
          condition: [{ httpHeader: { httpHeaderName: props.requiredHeader.name, values: [props.requiredHeader.value] } }],
          action: [{ type: "forward", targetGroupArn: props.defaultTargetGroupArn }],
        }),
        "required_header",
      );
    }
  }
}
