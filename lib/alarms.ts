/*
 * The kinds of alarm an environment has, as configuration names them
 * (`observability.alarms.stopDeployments`). Constructs map each kind to their alarms; docs/observability.md
 * says what each watches.
 */

export const ALARM_KINDS = ["5xx", "unhealthy-hosts", "cpu", "memory", "disk", "latency-p95", "latency-p99"] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/**
 * What stops (and rolls back) a deployment unless configured otherwise: the signs that the release
 * itself is broken. Latency, memory and disk notify only: a cold start, a cache warming up or a log
 * rotation behind moves them without the revision being wrong, and a rollback that is not needed
 * costs a release (docs/observability.md, "Which alarms stop a deployment").
 */
export const DEFAULT_DEPLOYMENT_ALARMS: readonly AlarmKind[] = ["5xx", "unhealthy-hosts", "cpu"];

/** The CloudWatch agent's metric names (constructs/cloudwatch-agent.ts collects them). */
export const AGENT_METRICS = {
  /** `mem` measurement `mem_used_percent`. */
  memory: "mem_used_percent",
  /** `disk` measurement `used_percent`: the agent prefixes it with the plugin, `disk_`. */
  disk: "disk_used_percent",
} as const;
