import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { Construct } from "constructs";
import { pin } from "../lib/address";
import { AccountContext } from "./account-context";

/*
 * Dashboard body: the JSON of "Dashboard Body Structure and Syntax" (CloudWatch API reference),
 * built here as data and encoded here (JSON.stringify), with this stack's ARNs and IDs as Terraform
 * interpolations inside its strings. Not Fn.jsonencode: cdktf writes that object as HCL without
 * escaping the double quotes a SEARCH expression contains. Indented, so it is a multi-line string:
 * cdktf's HCL output (--hcl, eject) writes those as heredocs, whose quotes need no escaping, while it
 * mangles a one-line string full of escaped quotes. CloudWatch and the provider compare the JSON, not
 * its whitespace.
 */

/** One line of a metric widget: a metric with its dimensions, or an expression (math or SEARCH). */
export type DashboardMetric =
  | { readonly namespace: string; readonly metricName: string; readonly dimensions: Record<string, string>; readonly stat?: string; readonly label?: string }
  | { readonly expression: string; readonly label: string; readonly id: string };

export interface MetricWidget {
  readonly type: "metric";
  readonly title: string;
  readonly metrics: readonly DashboardMetric[];
  /** Default statistic of the lines that name none. @default "Average" */
  readonly stat?: string;
  /** Seconds. @default 60 */
  readonly period?: number;
  /** Fixed y-axis range, e.g. 0-100 for percentages. @default automatic */
  readonly yRange?: { readonly min: number; readonly max?: number };
}

export interface AlarmWidget {
  readonly type: "alarm";
  readonly title: string;
  /** ARNs of the alarms whose state the widget shows. */
  readonly alarmArns: readonly string[];
}

export type DashboardWidget = MetricWidget | AlarmWidget;

export interface DashboardProps {
  /** Dashboard name (`<app>-<environment>`). */
  readonly dashboardName: string;
  /** Widgets, laid out two per row, each half the dashboard's width. */
  readonly widgets: readonly DashboardWidget[];
}

/** Width of the dashboard grid (CloudWatch's is 24 units) and of one widget. */
const GRID_WIDTH = 24;
const WIDGET_WIDTH = 12;
const WIDGET_HEIGHT = 6;

/**
 * A search expression for dashboards (alarms cannot use them): the lines of every metric of the
 * schema `{namespace,dimensions...}` that match `terms`, with one statistic and period.
 * Syntax: CloudWatch user guide, "CloudWatch search expression syntax".
 */
export function searchExpression(namespace: string, dimensionNames: readonly string[], terms: string, stat: string, period = 60): string {
  return `SEARCH('{${[namespace, ...dimensionNames].join(",")}} ${terms}', '${stat}', ${period})`;
}

/** A search expression without a metric schema: every metric matching `terms`, whatever its dimensions. */
export function searchAnywhere(terms: string, stat: string, period = 60): string {
  return `SEARCH('${terms}', '${stat}', ${period})`;
}

/**
 * The search terms that find every Auto Scaling group of a fleet through blue/green releases: the
 * bootstrap group by its exact name, and CodeDeploy's copies (`CodeDeploy_<deployment group>_d-<id>`)
 * by the composite token `CodeDeploy_<deployment group>_d`. A composite token matches consecutive
 * tokens only, so `app-prod` does not find `app-prod-eu`'s copies.
 */
export function fleetGroupTerms(bootstrapGroupName: string, deploymentGroupName: string): string {
  return `(AutoScalingGroupName="${bootstrapGroupName}" OR AutoScalingGroupName=CodeDeploy_${deploymentGroupName}_d)`;
}

/** A CloudWatch dashboard whose body is built from widgets (`aws_cloudwatch_dashboard`). */
export class Dashboard extends Construct {
  public readonly dashboardName: string;
  public readonly dashboardArn: string;
  /** The body before Terraform encodes it (for tests and docs). */
  public readonly body: { widgets: Record<string, unknown>[] };

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    if (props.widgets.length === 0) throw new Error(`${this.node.path}: widgets: received none; allowed: at least one widget`);
    const region = AccountContext.of(this).region;
    const perRow = GRID_WIDTH / WIDGET_WIDTH;
    this.body = {
      widgets: props.widgets.map((widget, i) => ({
        type: widget.type,
        x: (i % perRow) * WIDGET_WIDTH,
        y: Math.floor(i / perRow) * WIDGET_HEIGHT,
        width: WIDGET_WIDTH,
        height: WIDGET_HEIGHT,
        properties: widget.type === "alarm" ? { title: widget.title, alarms: [...widget.alarmArns] } : metricProperties(widget, region),
      })),
    };
    const dashboard = pin(this, new CloudwatchDashboard(this, "dashboard", { dashboardName: props.dashboardName, dashboardBody: JSON.stringify(this.body, null, 2) }));
    this.dashboardName = dashboard.dashboardName;
    this.dashboardArn = dashboard.dashboardArn;
  }
}

function metricProperties(widget: MetricWidget, region: string): Record<string, unknown> {
  const metrics = widget.metrics.map((m) => {
    if ("expression" in m) return [{ expression: m.expression, label: m.label, id: m.id }];
    const options = { ...(m.stat ? { stat: m.stat } : {}), ...(m.label ? { label: m.label } : {}) };
    return [m.namespace, m.metricName, ...Object.entries(m.dimensions).flat(), ...(Object.keys(options).length > 0 ? [options] : [])];
  });
  return {
    title: widget.title,
    view: "timeSeries",
    region,
    stat: widget.stat ?? "Average",
    period: widget.period ?? 60,
    metrics,
    ...(widget.yRange ? { yAxis: { left: { min: widget.yRange.min, ...(widget.yRange.max !== undefined ? { max: widget.yRange.max } : {}) } } } : {}),
  };
}
