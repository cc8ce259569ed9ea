import { oneOf } from "./primitives";

/**
 * What runs an environment's application; each value is a stack of its own built from the same
 * constructs (`lib/synth/build-app.ts` picks the stack):
 * - `fleet`: launch template + Auto Scaling group behind a load balancer (EnvironmentStack).
 * - `host`: one EC2 instance with an Elastic IP, no load balancer (HostEnvironmentStack).
 * - `ecs`: an ECS cluster with Fargate and EC2 capacity, services behind path rules (EcsEnvironmentStack).
 */
export const PLATFORMS = ["fleet", "host", "ecs"] as const;

export type Platform = (typeof PLATFORMS)[number];

export const platformSchema = oneOf(PLATFORMS)
  .default("fleet")
  .describe(
    "What runs the application: fleet (Auto Scaling group behind a load balancer), host (one instance with an Elastic IP, configured with Ansible; see docs/hosts.md) or ecs (ECS services on Fargate and an EC2 capacity provider, section ecs; see docs/ecs.md).",
  );

/**
 * Sections of an environment that a platform does not read. `defaults` does not give them to
 * environments of that platform (so one file can mix platforms), and an environment that states
 * one is refused ({@link explicitSectionProblems}).
 */
export const UNREAD_SECTIONS: Readonly<Record<Platform, readonly string[]>> = {
  fleet: ["ecs"],
  // The host stack has no load balancer, fleet or CodeDeploy release pipeline (GitHub Actions
  // pushes images, Ansible installs them); bastion, database, front end and the agent association
  // have their own rules in the schema, with messages about what a host does instead.
  host: ["ecs", "fleet", "loadBalancer", "deployment", "build", "pipeline"],
  // The ECS stack builds no fleet, image, bastion, database, front end, CodeDeploy or host;
  // its releases read `build` and `pipeline`.
  ecs: ["application", "fleet", "goldenAmi", "bastion", "database", "frontend", "codedeployAgent", "deployment", "host"],
};

/** The sections environments of `platform` do not read (none for an unknown platform). */
export function unreadSections(platform: string): readonly string[] {
  return (UNREAD_SECTIONS as Record<string, readonly string[]>)[platform] ?? [];
}

/**
 * Sections an environment states but its platform does not read (`fleet` in an ECS environment,
 * `pipeline` on a host). The schema cannot see this (defaults fill every section), so it runs on
 * the merged input, where `applyDefaults` has left out what `defaults` gives to other platforms only.
 */
export function explicitSectionProblems(merged: unknown): Array<{ path: string; received: string; allowed: string }> {
  if (!isRecord(merged) || !isRecord(merged.environments)) return [];
  const problems: Array<{ path: string; received: string; allowed: string }> = [];
  for (const [name, env] of Object.entries(merged.environments)) {
    if (!isRecord(env)) continue;
    const platform = typeof env.platform === "string" ? env.platform : "fleet";
    for (const section of unreadSections(platform)) {
      if (env[section] === undefined) continue;
      problems.push({
        path: `environments.${name}.${section}`,
        received: `a ${section} section`,
        allowed: `no ${section} section when platform is "${platform}" (its stack does not read it${platform === "ecs" ? "; ECS settings live under ecs" : ""})`,
      });
    }
  }
  return problems;
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
