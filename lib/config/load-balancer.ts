import { z } from "zod";
import { acmCertificateArn, bool, hostName, hostedZoneId, oneOf, strictObject } from "./primitives";

export const loadBalancerSchema = strictObject({
  mode: oneOf(["dedicated", "shared"]).default("dedicated").describe("dedicated: one ALB per environment. shared: one ALB serves several environments by host name."),
  https: bool.optional().describe("Serve HTTPS on 443 and redirect 80 to it. Default: true when certificateArn is set."),
  certificateArn: acmCertificateArn.optional().describe("ACM certificate for the HTTPS listener."),
  hostName: hostName.optional().describe("Host name the environment answers on (Route53 alias, shared-mode host rule)."),
  hostedZoneId: hostedZoneId.optional().describe("Public hosted zone that holds hostName."),
})
  .prefault({})
  .describe("Application Load Balancer.");

export type LoadBalancerConfig = z.output<typeof loadBalancerSchema>;
