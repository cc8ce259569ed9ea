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

/**
 * Sections of an environment that only one platform reads. `defaults` gives them only to
 * environments of that platform (so one file can mix platforms), and an environment of another
 * platform that states them is refused.
 */
export const PLATFORM_SECTIONS: Readonly<Record<Platform, readonly string[]>> = {
  // The ECS stack builds none of these (no bastion, database, front end or CodeDeploy agent yet).
  fleet: ["application", "fleet", "goldenAmi", "bastion", "database", "frontend", "codedeployAgent"],
  ecs: ["ecs"],
};

/** The sections an environment of `platform` must not have (those of the other platforms). */
export function foreignSections(platform: string): string[] {
  return Object.entries(PLATFORM_SECTIONS).flatMap(([owner, sections]) => (owner === platform ? [] : sections));
}
