import { oneOf } from "./primitives";

/**
 * What runs an environment's application; each value is a stack of its own built from the same
 * constructs (`lib/build-app.ts` picks the stack):
 * - `fleet`: launch template + Auto Scaling group behind a load balancer (EnvironmentStack).
 * - `host`: one EC2 instance with an Elastic IP, no load balancer (HostEnvironmentStack).
 */
export const PLATFORMS = ["fleet", "host"] as const;

export type Platform = (typeof PLATFORMS)[number];

export const platformSchema = oneOf(PLATFORMS)
  .default("fleet")
  .describe("What runs the application: fleet (Auto Scaling group behind a load balancer) or host (one instance with an Elastic IP, configured with Ansible; see README \"Plain hosts\").");
