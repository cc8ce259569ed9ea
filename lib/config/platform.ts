import { oneOf } from "./primitives";

/**
 * The kinds of environment stack, in one place. `fleet` is the EC2 fleet with CodeDeploy
 * (EnvironmentStack); every other value is a variant stack built from the same constructs.
 */
export const PLATFORMS = ["fleet", "ecs"] as const;
export type Platform = (typeof PLATFORMS)[number];

export const platformSchema = oneOf(PLATFORMS)
  .default("fleet")
  .describe("What runs the application: fleet (EC2 Auto Scaling group released by CodeDeploy) or ecs (ECS services on Fargate and an EC2 capacity provider, section ecs).");

/** Sections of an environment that only the fleet platform reads; other platforms refuse them when given explicitly. */
export const FLEET_ONLY_SECTIONS = ["application", "fleet", "goldenAmi"] as const;
