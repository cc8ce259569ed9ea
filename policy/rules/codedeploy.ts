import { Rule } from "../engine";
import { block, isSet, isTrue, shown, strings } from "../terraform";

const GROUP = ["aws_codedeploy_deployment_group"];
const ALARMS = ["aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"];
/** CodeDeploy accepts 0 to 2880 minutes (two days) before it terminates the original fleet. */
const MAX_TERMINATION_WAIT = 2880;

const rollbackEvents = (values: Record<string, any>) => strings(block(values.auto_rollback_configuration).events);

export const CODEDEPLOY_RULES: Rule[] = [
  {
    id: "CODEDEPLOY.AUTO_ROLLBACK",
    title: "Deployment groups roll back automatically when a deployment fails.",
    rationale: "Without automatic rollback a failed deployment leaves instances on a broken or half-installed revision until someone intervenes.",
    fix: "Set auto_rollback_configuration { enabled = true, events = [\"DEPLOYMENT_FAILURE\", \"DEPLOYMENT_STOP_ON_ALARM\"] }.",
    resourceTypes: GROUP,
    check: (group) => {
      const rollback = block(group.values.auto_rollback_configuration);
      return isTrue(rollback.enabled) && rollbackEvents(group.values).includes("DEPLOYMENT_FAILURE") ? undefined : `auto_rollback_configuration is ${shown(group.values.auto_rollback_configuration)}`;
    },
  },
  {
    id: "CODEDEPLOY.BLUE_GREEN_TERMINATION",
    title: "Blue/green deployment groups terminate the original fleet after an explicit, finite wait.",
    rationale: "KEEP_ALIVE leaves every previous fleet running (and billed) after each release; the wait keeps a fast rollback path for a bounded time.",
    fix: `Set blue_green_deployment_config.terminate_blue_instances_on_deployment_success { action = "TERMINATE", termination_wait_time_in_minutes = 0..${MAX_TERMINATION_WAIT} }.`,
    resourceTypes: GROUP,
    scope: "groups with deployment_style.deployment_type = BLUE_GREEN",
    appliesTo: (group) => block(group.values.deployment_style).deployment_type === "BLUE_GREEN",
    check: (group) => {
      const termination = block(block(group.values.blue_green_deployment_config).terminate_blue_instances_on_deployment_success);
      const wait = termination.termination_wait_time_in_minutes;
      const problems: string[] = [];
      if (termination.action !== "TERMINATE") problems.push(`terminate_blue_instances_on_deployment_success.action is ${shown(termination.action)}`);
      if (typeof wait !== "number" || wait < 0 || wait > MAX_TERMINATION_WAIT) problems.push(`termination_wait_time_in_minutes is ${shown(wait)}`);
      return problems;
    },
  },
  {
    id: "CODEDEPLOY.ALARMS",
    title: "When the stack defines CloudWatch alarms, deployment groups watch alarms and roll back when one fires.",
    rationale: "A deployment that raises 5xx errors or unhealthy hosts should stop and roll back on its own, not wait for a human to notice.",
    fix: "Set alarm_configuration { enabled = true, alarms = [<alarm names>] } and add DEPLOYMENT_STOP_ON_ALARM to auto_rollback_configuration.events.",
    resourceTypes: GROUP,
    scope: "deployment groups of stacks that have CloudWatch alarms",
    appliesTo: (_group, stack) => stack.resources(...ALARMS).length > 0,
    check: (group) => {
      const alarms = block(group.values.alarm_configuration);
      const problems: string[] = [];
      if (!isSet(alarms.alarms) || !isTrue(alarms.enabled)) problems.push(`alarm_configuration is ${shown(group.values.alarm_configuration)}`);
      if (!rollbackEvents(group.values).includes("DEPLOYMENT_STOP_ON_ALARM")) problems.push("auto_rollback_configuration.events lacks DEPLOYMENT_STOP_ON_ALARM");
      return problems;
    },
  },
];
