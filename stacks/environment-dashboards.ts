import { AGENT_METRICS } from "../lib/alarms";
import { AGENT_NAMESPACE } from "../constructs/cloudwatch-agent";
import { DashboardMetric, DashboardWidget, fleetGroupTerms, searchAnywhere, searchExpression } from "../constructs/dashboard";

/*
 * The widgets of each kind of environment's dashboard (docs/observability.md, "The dashboard").
 * Metrics of the load balancer and target groups name them directly: they outlive releases. The
 * fleet's instance metrics are found by SEARCH, which dashboards may use (alarms may not), so the
 * widgets follow CodeDeploy's copies of the Auto Scaling group without a Terraform run.
 */

const ALB = "AWS/ApplicationELB";

/** A target group behind a load balancer, as its metrics' dimensions name them. */
export interface TargetGroupMetrics {
  /** Label of its lines (a service name), or empty for an environment's one target group. */
  readonly label: string;
  readonly loadBalancerArnSuffix: string;
  readonly targetGroupArnSuffix: string;
}

function tgDimensions(tg: TargetGroupMetrics): Record<string, string> {
  return { TargetGroup: tg.targetGroupArnSuffix, LoadBalancer: tg.loadBalancerArnSuffix };
}

function label(tg: TargetGroupMetrics, what: string): string {
  return tg.label ? `${tg.label} ${what}` : what;
}

/** Requests, 5xx, latency percentiles and healthy hosts of target groups (and the ALB's own 5xx when it is the environment's). */
export function trafficWidgets(targetGroups: readonly TargetGroupMetrics[], loadBalancerArnSuffix?: string): DashboardWidget[] {
  const per = (metricName: string, stat: string, what: string): DashboardMetric[] =>
    targetGroups.map((tg) => ({ namespace: ALB, metricName, dimensions: tgDimensions(tg), stat, label: label(tg, what) }));
  return [
    { type: "metric", title: "Requests per minute", stat: "Sum", metrics: per("RequestCount", "Sum", "requests") },
    {
      type: "metric",
      title: "5xx per minute",
      stat: "Sum",
      metrics: [
        ...per("HTTPCode_Target_5XX_Count", "Sum", "application 5xx"),
        ...(loadBalancerArnSuffix ? [{ namespace: ALB, metricName: "HTTPCode_ELB_5XX_Count", dimensions: { LoadBalancer: loadBalancerArnSuffix }, stat: "Sum", label: "load balancer 5xx" }] : []),
      ],
    },
    {
      type: "metric",
      title: "Response time (seconds)",
      metrics: ["p50", "p95", "p99"].flatMap((p) => per("TargetResponseTime", p, p)),
    },
    {
      type: "metric",
      title: "Healthy and unhealthy targets",
      metrics: [...per("HealthyHostCount", "Minimum", "healthy"), ...per("UnHealthyHostCount", "Maximum", "unhealthy")],
    },
  ];
}

/** CPU, memory and root disk of every Auto Scaling group of a fleet, through blue/green copies. */
export function fleetWidgets(bootstrapGroupName: string, deploymentGroupName: string): DashboardWidget[] {
  const groups = fleetGroupTerms(bootstrapGroupName, deploymentGroupName);
  return [
    {
      type: "metric",
      title: "Fleet CPU (%), per Auto Scaling group",
      yRange: { min: 0, max: 100 },
      metrics: [{ id: "cpu", label: "", expression: searchExpression("AWS/EC2", ["AutoScalingGroupName"], `MetricName="CPUUtilization" ${groups}`, "Average") }],
    },
    {
      type: "metric",
      title: "Memory and root disk in use (%), fullest instance per group",
      yRange: { min: 0, max: 100 },
      metrics: [
        { id: "memory", label: "memory", expression: searchExpression(AGENT_NAMESPACE, ["AutoScalingGroupName"], `MetricName="${AGENT_METRICS.memory}" ${groups}`, "Maximum") },
        { id: "disk", label: "disk", expression: searchExpression(AGENT_NAMESPACE, ["AutoScalingGroupName"], `MetricName="${AGENT_METRICS.disk}" ${groups}`, "Maximum") },
      ],
    },
  ];
}

/** CPU, memory and root disk of one instance (platform: host). */
export function hostWidgets(instanceId: string): DashboardWidget[] {
  return [
    { type: "metric", title: "Host CPU (%)", yRange: { min: 0, max: 100 }, metrics: [{ namespace: "AWS/EC2", metricName: "CPUUtilization", dimensions: { InstanceId: instanceId }, label: "CPU" }] },
    {
      type: "metric",
      title: "Host memory and disk in use (%)",
      yRange: { min: 0, max: 100 },
      // No metric schema: the agent adds the disk's path, device and file system to the instance's
      // dimensions, and the device name depends on the instance type (nvme0n1p1, xvda1).
      metrics: (["memory", "disk"] as const).map((what) => ({
        id: what,
        label: what,
        expression: searchAnywhere(`Namespace="${AGENT_NAMESPACE}" MetricName="${AGENT_METRICS[what]}" InstanceId="${instanceId}"`, "Maximum"),
      })),
    },
    {
      type: "metric",
      title: "Status checks failed",
      stat: "Maximum",
      metrics: [
        { namespace: "AWS/EC2", metricName: "StatusCheckFailed_System", dimensions: { InstanceId: instanceId }, label: "system" },
        { namespace: "AWS/EC2", metricName: "StatusCheckFailed_Instance", dimensions: { InstanceId: instanceId }, label: "instance" },
      ],
    },
  ];
}

/** CPU and memory of ECS services (AWS/ECS, per service). */
export function ecsServiceWidgets(clusterName: string, serviceNames: readonly string[]): DashboardWidget[] {
  const per = (metricName: string): DashboardMetric[] =>
    serviceNames.map((service) => ({ namespace: "AWS/ECS", metricName, dimensions: { ClusterName: clusterName, ServiceName: service }, label: service }));
  return [
    { type: "metric", title: "Service CPU (% of reserved)", yRange: { min: 0 }, metrics: per("CPUUtilization") },
    { type: "metric", title: "Service memory (% of reserved)", yRange: { min: 0 }, metrics: per("MemoryUtilization") },
  ];
}

/** Bytes through the NAT gateways: what private instances send out (and get back), the NAT bill's data part. */
export function natWidgets(natGatewayIds: readonly string[]): DashboardWidget[] {
  if (natGatewayIds.length === 0) return [];
  return [
    {
      type: "metric",
      title: "NAT gateway bytes per minute",
      stat: "Sum",
      metrics: natGatewayIds.flatMap((id, i) => [
        { namespace: "AWS/NATGateway", metricName: "BytesOutToDestination", dimensions: { NatGatewayId: id }, label: `nat-${i} out` },
        { namespace: "AWS/NATGateway", metricName: "BytesInFromDestination", dimensions: { NatGatewayId: id }, label: `nat-${i} in` },
      ]),
    },
  ];
}

/**
 * The state of the alarms that stop deployments. CodeDeploy publishes no CloudWatch metrics (its
 * deployments are events: EventBridge "CodeDeploy Deployment State-change Notification", and the
 * deployment group's SNS triggers), so the dashboard shows what decides a deployment's fate.
 */
export function alarmWidget(title: string, alarmArns: readonly string[]): DashboardWidget[] {
  return alarmArns.length > 0 ? [{ type: "alarm", title, alarmArns }] : [];
}
