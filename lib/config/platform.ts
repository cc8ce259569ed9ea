import { oneOf } from "./primitives";

/**
 * What runs an environment's application; each value is a stack of its own built from the same
 * constructs (`lib/build-app.ts` picks the stack):
 * - `fleet`: launch template + Auto Scaling group behind a load balancer (EnvironmentStack).
 * - `host`: one EC2 instance with an Elastic IP, no load balancer (HostEnvironmentStack).
 * - `ecs`: an ECS cluster with Fargate and EC2 capacity, services behind path rules (EcsEnvironmentStack).
 */
export const PLATFORMS = ["fleet", "host", "ecs"] as const;

export type Platform = (typeof PLATFORMS)[number];

export const platformSchema = oneOf(PLATFORMS)
  .default("fleet")
  .describe(
    "What runs the application: fleet (Auto Scaling group behind a load balancer), host (one instance with an Elastic IP, configured with Ansible; see README \"Plain hosts\") or ecs (ECS services on Fargate and an EC2 capacity provider, section ecs; see README \"ECS services\").",
  );

/**
 * Sections of an environment that a platform does not read. `defaults` does not give them to
 * environments of that platform (so one file can mix platforms), and an ECS environment that
 * states one is refused (lib/config/ecs.ts; other platforms refuse theirs in the schema).
 */
export const UNREAD_SECTIONS: Readonly<Record<Platform, readonly string[]>> = {
  fleet: ["ecs"],
  host: ["ecs"],
  // The ECS stack builds no fleet, image, bastion, database, front end, CodeDeploy or host;
  // its releases read `build` and `pipeline`.
  ecs: ["application", "fleet", "goldenAmi", "bastion", "database", "frontend", "codedeployAgent", "deployment", "host"],
};

/** The sections environments of `platform` do not read (none for an unknown platform). */
export function unreadSections(platform: string): readonly string[] {
  return (UNREAD_SECTIONS as Record<string, readonly string[]>)[platform] ?? [];
}
