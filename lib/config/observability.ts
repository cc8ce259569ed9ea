import { z } from "zod";
import { ALARM_KINDS, DEFAULT_DEPLOYMENT_ALARMS } from "../alarms";
import { bool, integer, logRetentionDays, oneOf, pattern, strictObject } from "./primitives";

/*
 * Observability of an environment: the CloudWatch agent's log files, the alarms (thresholds, and
 * which of them stop a deployment) and the dashboard. docs/observability.md explains each.
 */

/** A response time in seconds (TargetResponseTime is in seconds, with millisecond resolution). */
function seconds(min: number, max: number) {
  const allowed = `a number of seconds from ${min} to ${max}`;
  return z.number({ error: allowed }).min(min, { error: allowed }).max(max, { error: allowed }).meta({ allowed });
}

const STOP_ALLOWED = `a list of distinct alarm kinds, each one of ${ALARM_KINDS.map((k) => JSON.stringify(k)).join(", ")}`;

export const alarmsSchema = strictObject({
  http5xxPerMinute: integer(1, 100000, "a number of responses").default(10).describe("5xx responses per minute (ALB and targets) that raise the alarm."),
  cpuHighPercent: integer(10, 100, "a CPU percentage").default(85).describe("Average CPU that raises the alarm (fleet, host, ECS service)."),
  memoryHighPercent: integer(10, 100, "a memory percentage")
    .default(90)
    .describe("Memory in use that raises the alarm: the fullest instance of the fleet (CloudWatch agent mem_used_percent), or the ECS service's average."),
  diskHighPercent: integer(10, 100, "a disk percentage").default(85).describe("Root file system in use (CloudWatch agent disk_used_percent) that raises the alarm: the fleet's fullest instance, or the host."),
  latencyP95Seconds: seconds(0.01, 600).default(1).describe("95th percentile of the target group's response time (TargetResponseTime) that raises the alarm."),
  latencyP99Seconds: seconds(0.01, 600).default(2.5).describe("99th percentile of the target group's response time that raises the alarm (at least latencyP95Seconds)."),
  unhealthyHosts: integer(1, 1000, "a number of hosts").default(1).describe("Unhealthy targets that raise the alarm."),
  evaluationMinutes: integer(1, 60, "a number of minutes").default(5).describe("Minutes a condition must last."),
  stopDeployments: z
    .array(oneOf(ALARM_KINDS), { error: STOP_ALLOWED })
    .refine((kinds) => new Set(kinds).size === kinds.length, { error: STOP_ALLOWED })
    .default([...DEFAULT_DEPLOYMENT_ALARMS])
    .meta({ allowed: STOP_ALLOWED })
    .describe(
      "Alarms that stop and roll back a CodeDeploy deployment (with deployment.rollbackOnAlarms). The others notify only: latency, memory and disk move with cold starts and caches as much as with a bad revision.",
    ),
})
  .prefault({})
  .superRefine((alarms, ctx) => {
    if (alarms.latencyP99Seconds < alarms.latencyP95Seconds) {
      ctx.addIssue({
        code: "custom",
        path: ["latencyP99Seconds"],
        input: alarms.latencyP99Seconds,
        message: `a number of seconds of at least latencyP95Seconds (${alarms.latencyP95Seconds}): the 99th percentile is never below the 95th`,
      });
    }
  })
  .describe("CloudWatch alarms, sent to the notifications topic.");

export const dashboardSchema = strictObject({
  enabled: bool
    .default(true)
    .describe("A CloudWatch dashboard <app>-<env> (requests, 5xx, latency, hosts, CPU/memory/disk, deployment alarms, NAT bytes); $3 per month beyond an account's first three."),
})
  .prefault({})
  .describe("The environment's CloudWatch dashboard; its widgets follow the live fleet through blue/green releases.");

export const observabilitySchema = strictObject({
  logRetentionDays: logRetentionDays.default(30).describe("Days application and system logs are kept in CloudWatch Logs."),
  applicationLogFiles: z
    .array(pattern(/^\/[\x21-\x7e]+$/, "an absolute file path or glob"))
    .optional()
    .meta({ allowed: "a list of absolute paths or globs" })
    .describe("Files the CloudWatch agent ships to the application log group. Default: /var/log/<app>/*.log."),
  alarms: alarmsSchema,
  dashboard: dashboardSchema,
})
  .prefault({})
  .describe("CloudWatch agent, log groups, alarms and dashboard.");

export type ObservabilityConfig = z.output<typeof observabilitySchema>;
