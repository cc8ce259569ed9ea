import { Rule } from "../engine";
import { block, isSet, isTrue, shown, StackView, strings } from "../terraform";

const ALARMS = ["aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"];

/** The ECS (rolling) deployment controller: the default when deployment_controller is not set. */
function usesRollingController(values: Record<string, any>): boolean {
  const type = block(values.deployment_controller).type;
  return type === undefined || type === "ECS";
}

/** A role argument as the role's address when it is in the stack, else as written. */
function roleKey(stack: StackView, value: unknown): string {
  return stack.refs(value, "aws_iam_role")[0]?.address ?? String(value);
}

/** Names of privileged containers (JSON definitions), or a marker when only the raw text shows one. */
function privilegedContainers(definitions: unknown): string[] {
  if (typeof definitions !== "string") return [];
  try {
    const parsed = JSON.parse(definitions);
    return (Array.isArray(parsed) ? parsed : []).filter((c) => c?.privileged === true).map((c) => String(c.name ?? "unnamed"));
  } catch {
    // jsonencode(...) expressions: look for the attribute in the text.
    return /"?privileged"?\s*[:=]\s*true\b/.test(definitions) ? ["a container"] : [];
  }
}

export const ECS_RULES: Rule[] = [
  {
    id: "ECS.SEPARATE_TASK_ROLE",
    title: "Task definitions use different roles for the task and for task execution.",
    rationale: "The execution role pulls images and reads secrets for the agent; giving the application the same role hands it those permissions too.",
    fix: "Create a task role with the application's permissions and a separate execution role with image pull, log and secret read permissions.",
    checkov: ["CKV_AWS_249"],
    resourceTypes: ["aws_ecs_task_definition"],
    scope: "task definitions that set both roles",
    appliesTo: (task) => isSet(task.values.task_role_arn) && isSet(task.values.execution_role_arn),
    check: (task, stack) => (roleKey(stack, task.values.task_role_arn) === roleKey(stack, task.values.execution_role_arn) ? `task_role_arn and execution_role_arn are both ${roleKey(stack, task.values.task_role_arn)}` : undefined),
  },
  {
    id: "ECS.NO_PRIVILEGED_CONTAINERS",
    title: "No container runs privileged.",
    rationale: "A privileged container is root on the container instance: it can read other tasks' credentials and escape to the host.",
    fix: "Remove privileged = true from the container definition and grant the specific Linux capabilities the container needs.",
    checkov: ["CKV_AWS_334"],
    resourceTypes: ["aws_ecs_task_definition"],
    check: (task) => privilegedContainers(task.values.container_definitions).map((name) => `container ${name} has privileged = true`),
  },
  {
    id: "ECS.NO_PUBLIC_IP",
    title: "Services do not assign public IP addresses to their tasks.",
    rationale: "Tasks with public addresses are reachable from the internet whenever a security group allows it; they belong in private subnets behind the load balancer.",
    fix: "Set network_configuration.assign_public_ip = false and run the service in private subnets with NAT or VPC endpoints.",
    checkov: ["CKV_AWS_333"],
    resourceTypes: ["aws_ecs_service"],
    check: (service) => (isTrue(block(service.values.network_configuration).assign_public_ip) ? "network_configuration.assign_public_ip is true" : undefined),
  },
  {
    id: "ECS.CIRCUIT_BREAKER_ROLLBACK",
    title: "Rolling services stop a failing deployment and roll back to the last completed one (deployment circuit breaker with rollback).",
    rationale: "Without the circuit breaker a deployment whose tasks never become healthy keeps replacing them forever; without rollback it stops with the service on the broken revision.",
    fix: "Set deployment_circuit_breaker { enable = true, rollback = true } on the service.",
    resourceTypes: ["aws_ecs_service"],
    scope: "services with the ECS (rolling) deployment controller; CodeDeploy and external controllers have no circuit breaker",
    appliesTo: (service) => usesRollingController(service.values),
    check: (service) => {
      const breaker = block(service.values.deployment_circuit_breaker);
      return isTrue(breaker.enable) && isTrue(breaker.rollback) ? undefined : `deployment_circuit_breaker is ${shown(service.values.deployment_circuit_breaker)}`;
    },
  },
  {
    id: "ECS.DEPLOYMENT_ALARMS",
    title: "When the stack defines CloudWatch alarms, rolling services fail and roll back a deployment when one of their alarms fires.",
    rationale: "The circuit breaker only sees tasks that fail to start or to pass health checks; a revision that serves 5xx errors or burns CPU passes both and needs the alarms to be rolled back.",
    fix: "Set alarms { alarm_names = [<alarm names>], enable = true, rollback = true } on the service.",
    resourceTypes: ["aws_ecs_service"],
    scope: "services with the ECS (rolling) deployment controller in stacks that have CloudWatch alarms (the service alarms block applies only to that controller)",
    appliesTo: (service, stack) => usesRollingController(service.values) && stack.resources(...ALARMS).length > 0,
    check: (service) => {
      const alarms = block(service.values.alarms);
      return isSet(alarms.alarm_names) && strings(alarms.alarm_names).length > 0 && isTrue(alarms.enable) && isTrue(alarms.rollback) ? undefined : `alarms is ${shown(service.values.alarms)}`;
    },
  },
  {
    id: "ECS.EXEC_AUDITED",
    title: "Services with ECS Exec run in a cluster that encrypts the sessions with a KMS key and logs them to an encrypted destination.",
    rationale: "ECS Exec gives a root shell in a running container; without the cluster's logging every command and its output go unrecorded, and without a KMS key the session is protected by TLS only.",
    fix: "On the cluster, set configuration.execute_command_configuration { kms_key_id, logging = \"OVERRIDE\", log_configuration { cloud_watch_log_group_name, cloud_watch_encryption_enabled = true } } (or an S3 bucket with s3_bucket_encryption_enabled = true).",
    checkov: ["CKV_AWS_224"],
    resourceTypes: ["aws_ecs_service"],
    scope: "services with enable_execute_command = true",
    appliesTo: (service) => isTrue(service.values.enable_execute_command),
    check: (service, stack) => {
      const cluster = stack.refs(service.values.cluster, "aws_ecs_cluster")[0];
      if (!cluster) return `cluster ${shown(service.values.cluster)} is not a cluster of this stack, so its exec configuration cannot be checked`;
      const exec = block(block(cluster.values.configuration).execute_command_configuration);
      const logs = block(exec.log_configuration);
      const problems: string[] = [];
      if (!isSet(exec.kms_key_id)) problems.push(`${cluster.address} execute_command_configuration.kms_key_id is not set`);
      if (exec.logging !== "OVERRIDE") problems.push(`${cluster.address} execute_command_configuration.logging is ${shown(exec.logging)}`);
      const cloudWatch = isSet(logs.cloud_watch_log_group_name) && isTrue(logs.cloud_watch_encryption_enabled);
      const s3 = isSet(logs.s3_bucket_name) && isTrue(logs.s3_bucket_encryption_enabled);
      if (!cloudWatch && !s3) problems.push(`${cluster.address} execute_command_configuration.log_configuration is ${shown(exec.log_configuration)} (no encrypted CloudWatch Logs group or S3 bucket)`);
      return problems;
    },
  },
];
