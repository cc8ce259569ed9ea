import * as path from "path";
import { Testing } from "cdktf";
import { EcsCluster } from "../constructs/ecs-cluster";
import { EcsService } from "../constructs/ecs-service";
import { EncryptionKey } from "../constructs/encryption-key";
import { Network } from "../constructs/network";
import { loadConfigFile, parseConfig } from "../lib/config/load";
import { buildApp } from "../lib/synth/build-app";
import { checkStack, suppressionsOf } from "../policy";
import { configProblems, expectProblemLine } from "./helpers/config";
import { bareStack, ref, resource, resourcesOfType, statements, Synth, synthConfig } from "./helpers/synth";

/*
 * Issue 16 item 5 (first two parts): CloudWatch alarms that roll back a rolling ECS deployment,
 * and ECS Exec instead of SSH, audited and KMS-encrypted. docs/ecs.md explains both.
 */

const root = path.join(__dirname, "..");
const api = () => ({ name: "api", launchType: "FARGATE", containerPort: 8080, cpu: 512, memory: 1024, pathPatterns: ["/api/*"], priority: 10 });

/** A valid Fargate-only ECS configuration; `mutate` edits it before validation. */
function ecsConfig(mutate: (c: any) => void = () => undefined): any {
  const config: any = {
    app: { name: "shop", region: "eu-west-1" },
    environments: { staging: { platform: "ecs", protection: false, network: { cidr: "10.30.0.0/16" }, ecs: { services: [api()] } } },
  };
  mutate(config);
  return config;
}

const staging = (c: any) => c.environments.staging;
const synthStaging = (mutate: (c: any) => void): Synth => synthConfig(parseConfig(ecsConfig(mutate))).staging;

describe("ECS alarms and exec: configuration", () => {
  test("defaults: alarm-based rollback on, ECS Exec off with a year of session logs", () => {
    const ecs = parseConfig(ecsConfig()).environments.staging.ecs!;
    expect(ecs.rollbackOnAlarms).toBe(true);
    expect(ecs.exec).toEqual({ enabled: false, logRetentionDays: 365 });
  });

  test("the example turns exec on in staging (90 days of session logs) and leaves production without it", () => {
    const config = loadConfigFile(path.join(root, "config/examples/ecs.yaml"));
    expect(config.environments.staging.ecs!.exec).toEqual({ enabled: true, logRetentionDays: 90 });
    expect(config.environments.production.ecs!.exec.enabled).toBe(false);
    expect(Object.values(config.environments).map((e) => e.ecs!.rollbackOnAlarms)).toEqual([true, true]);
  });

  test("rollbackOnAlarms needs a kind of alarm ECS services have among stopDeployments", () => {
    const lines = configProblems(ecsConfig((c) => (staging(c).observability = { alarms: { stopDeployments: ["unhealthy-hosts", "disk"] } })));
    expectProblemLine(lines, "environments.staging.observability.alarms.stopDeployments", '["unhealthy-hosts","disk"]', /at least one of "cpu", "memory", "5xx", "latency-p95", "latency-p99" while ecs.rollbackOnAlarms is true/);
    const off = ecsConfig((c) => {
      staging(c).observability = { alarms: { stopDeployments: [] } };
      staging(c).ecs.rollbackOnAlarms = false;
    });
    expect(parseConfig(off).environments.staging.ecs!.rollbackOnAlarms).toBe(false);
  });

  test("field errors: exec settings and rollbackOnAlarms", () => {
    const lines = configProblems(
      ecsConfig((c) => {
        staging(c).ecs.exec = { enabled: "yes", logRetentionDays: 10, shell: "/bin/bash" };
        staging(c).ecs.rollbackOnAlarms = "on";
      }),
    );
    expectProblemLine(lines, "environments.staging.ecs.exec.enabled", '"yes"', /true or false/);
    expectProblemLine(lines, "environments.staging.ecs.exec.logRetentionDays", "10", /one of/);
    expect(lines.some((l) => l.startsWith("environments.staging.ecs.exec") && l.includes("shell"))).toBe(true);
    expectProblemLine(lines, "environments.staging.ecs.rollbackOnAlarms", '"on"', /true or false/);
  });

  test("without NAT, ECS Exec needs the ssmmessages and kms interface endpoints", () => {
    const endpoints = ["ecr.api", "ecr.dkr", "logs"];
    const noNat = (exec: boolean) =>
      ecsConfig((c) => {
        staging(c).network = { cidr: "10.30.0.0/16", natGateways: "none", endpoints: { interface: endpoints } };
        staging(c).ecs.exec = { enabled: exec };
      });
    expect(parseConfig(noNat(false)).environments.staging.network!.natGateways).toBe("none");
    expectProblemLine(configProblems(noNat(true)), "environments.staging.network.endpoints.interface", JSON.stringify(endpoints), /a list that includes "ssmmessages", "kms" while network.natGateways is "none"/);
    const complete = ecsConfig((c) => {
      staging(c).network = { cidr: "10.30.0.0/16", natGateways: "none", endpoints: { interface: [...endpoints, "ssmmessages", "kms"] } };
      staging(c).ecs.exec = { enabled: true };
    });
    expect(parseConfig(complete).environments.staging.ecs!.exec.enabled).toBe(true);
  });
});

describe("alarms roll back rolling deployments", () => {
  const stacks = synthConfig(loadConfigFile(path.join(root, "config/examples/ecs.yaml")));

  test("each rolling service's alarms block names its alarms of the default stop kinds (5xx, CPU), enabled, with rollback", () => {
    let rolling = 0;
    for (const env of ["staging", "production"]) {
      for (const [address, service] of Object.entries(resourcesOfType(stacks[env], "aws_ecs_service"))) {
        // CODE_DEPLOY (blue/green) services cannot have the block: their alarms are the deployment group's.
        if (service.deployment_controller?.type === "CODE_DEPLOY") {
          expect(service.alarms).toBeUndefined();
          continue;
        }
        rolling++;
        expect(service.alarms).toEqual({
          alarm_names: [ref(`aws_cloudwatch_metric_alarm.${address}_alarms_cpu_high`, "alarm_name"), ref(`aws_cloudwatch_metric_alarm.${address}_alarms_target_5xx`, "alarm_name")],
          enable: true,
          rollback: true,
        });
      }
    }
    expect(rolling).toBeGreaterThanOrEqual(2);
  });

  test("the circuit breaker with rollback stays on beside the alarms", () => {
    expect(resource(stacks.staging, "aws_ecs_service", "service_api").deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
  });

  test("observability.alarms.stopDeployments chooses the alarms; kinds ECS services lack are skipped", () => {
    const json = synthStaging((c) => (staging(c).observability = { alarms: { stopDeployments: ["latency-p99", "unhealthy-hosts", "memory"] } }));
    expect(resource(json, "aws_ecs_service", "service_api").alarms.alarm_names).toEqual([
      ref("aws_cloudwatch_metric_alarm.service_api_alarms_memory_high", "alarm_name"),
      ref("aws_cloudwatch_metric_alarm.service_api_alarms_latency_p99", "alarm_name"),
    ]);
  });

  test("rollbackOnAlarms: false drops the block, and the policy pack records why", () => {
    const config = parseConfig(ecsConfig((c) => (staging(c).ecs.rollbackOnAlarms = false)));
    const [stack] = buildApp(Testing.app({ stackTraces: false }), config);
    const json = synthConfig(config).staging;
    expect(resource(json, "aws_ecs_service", "service_api").alarms).toBeUndefined();
    expect(suppressionsOf(stack).map((s) => [s.ruleId, s.address, s.reason])).toEqual([["ECS.DEPLOYMENT_ALARMS", "aws_ecs_service.service_api", expect.stringMatching(/ecs\.rollbackOnAlarms: false/)]]);
    const finding = checkStack(stack).findings.find((f) => f.ruleId === "ECS.DEPLOYMENT_ALARMS");
    expect(finding).toMatchObject({ status: "suppressed" });
  });

  test("the example's stacks pass the new ECS rules without suppressions", () => {
    for (const stack of buildApp(Testing.app({ stackTraces: false }), loadConfigFile(path.join(root, "config/examples/ecs.yaml")))) {
      const findings = checkStack(stack).findings.filter((f) => ["ECS.CIRCUIT_BREAKER_ROLLBACK", "ECS.DEPLOYMENT_ALARMS", "ECS.EXEC_AUDITED"].includes(f.ruleId));
      expect(new Set(findings.map((f) => f.status))).toEqual(new Set(["pass"]));
      expect(findings.filter((f) => f.ruleId === "ECS.EXEC_AUDITED").length).toBe(stack.node.id === "shop-staging" ? 1 : 0);
    }
  });
});

describe("ECS Exec: audited and KMS-encrypted", () => {
  const stacks = synthConfig(loadConfigFile(path.join(root, "config/examples/ecs.yaml")));
  const json = stacks.staging;

  test("the cluster encrypts sessions with the exec key and logs them (OVERRIDE) to an encrypted group", () => {
    expect(resource(json, "aws_ecs_cluster", "cluster").configuration).toEqual({
      execute_command_configuration: {
        kms_key_id: ref("aws_kms_key.cluster_exec_key", "arn"),
        logging: "OVERRIDE",
        log_configuration: { cloud_watch_log_group_name: ref("aws_cloudwatch_log_group.cluster_exec_logs", "name"), cloud_watch_encryption_enabled: true },
      },
    });
  });

  test("a key of its own with rotation; the session log group on the environment key, with the configured retention", () => {
    expect(resource(json, "aws_kms_key", "cluster_exec_key")).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(resource(json, "aws_kms_alias", "cluster_exec_key").name).toBe("alias/shop-staging-ecs-exec");
    expect(resource(json, "aws_cloudwatch_log_group", "cluster_exec_logs")).toEqual({ name: "/ecs-exec/shop-staging", retention_in_days: 90, kms_key_id: ref("aws_kms_key.environment_key", "arn") });
    // CloudWatch Logs may use the environment key for this group only.
    const logs = statements(json, "environment_key_policy").find((s) => s.sid === "LogsEcsExecShopStaging");
    expect(logs!.condition).toEqual([{ test: "ArnEquals", variable: "kms:EncryptionContext:aws:logs:arn", values: [expect.stringContaining("log-group:/ecs-exec/shop-staging")] }]);
  });

  test("rolling services turn execute command on; blue-green (CODE_DEPLOY) services do not", () => {
    const byController = Object.values(resourcesOfType(json, "aws_ecs_service")).map((s) => [s.name, s.deployment_controller?.type ?? "ECS", s.enable_execute_command]);
    expect(byController).toContainEqual(["api", "ECS", true]);
    for (const [name, controller, exec] of byController) expect([name, exec]).toEqual([name, controller === "ECS" ? true : undefined]);
    // Only the task roles of services with exec get the agent's grants.
    for (const [name, controller] of byController) expect(json.data.aws_iam_policy_document[`service_${name}_task_role_policy`] !== undefined).toBe(controller === "ECS");
  });

  test("blue-green services stay without exec: ECS cannot change it on a CODE_DEPLOY service", () => {
    const json = synthStaging((c) => {
      staging(c).ecs.exec = { enabled: true };
      staging(c).ecs.services.push({ name: "web", containerPort: 3000, pathPatterns: ["/*"], priority: 100, deployment: { type: "blue-green" } });
    });
    expect(resource(json, "aws_ecs_service", "service_api").enable_execute_command).toBe(true);
    expect(resource(json, "aws_ecs_service", "service_web")).toMatchObject({ deployment_controller: { type: "CODE_DEPLOY" } });
    expect(resource(json, "aws_ecs_service", "service_web").enable_execute_command).toBeUndefined();
  });

  test("the task role gets the SSM channels, kms:Decrypt on the exec key only, and writes to the session log group only", () => {
    const granted = statements(json, "service_api_task_role_policy").map((s) => [s.sid, s.actions, s.resources]);
    expect(granted).toEqual([
      ["ExecSessionChannels", ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"], ["*"]],
      ["ExecSessionKey", ["kms:Decrypt"], [ref("aws_kms_key.cluster_exec_key", "arn")]],
      ["ExecLogGroupCheck", ["logs:DescribeLogGroups"], ["*"]],
      ["ExecSessionLogs", ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"], [ref("aws_cloudwatch_log_group.cluster_exec_logs", "arn"), `${ref("aws_cloudwatch_log_group.cluster_exec_logs", "arn")}:*`]],
    ]);
    // The execution role (the ECS agent's) gets nothing of it.
    expect(JSON.stringify(statements(json, "service_api_execution_role_policy"))).not.toMatch(/ssmmessages|cluster_exec/);
  });

  test("operators: a managed policy for execute-command on this cluster's tasks, the session key, and no SSM sessions around ECS Exec", () => {
    expect(resource(json, "aws_iam_policy", "cluster_exec_operator")).toMatchObject({ name: "shop-staging-ecs-exec", policy: ref("data.aws_iam_policy_document.cluster_exec_operator_document", "json") });
    const tasks = expect.stringMatching(/^arn:[^:]+:ecs:eu-west-1:\$\{data\.aws_caller_identity\.current\.account_id\}:task\/shop-staging\/\*$/);
    const byId = Object.fromEntries(statements(json, "cluster_exec_operator_document").map((s) => [s.sid, s]));
    expect(byId.ExecuteCommand).toMatchObject({ effect: "Allow", actions: ["ecs:ExecuteCommand"], resources: [ref("aws_ecs_cluster.cluster", "arn"), tasks] });
    expect(byId.DescribeTasks).toMatchObject({ actions: ["ecs:DescribeTasks"], resources: [tasks] });
    expect(byId.EncryptSession).toMatchObject({ actions: ["kms:GenerateDataKey"], resources: [ref("aws_kms_key.cluster_exec_key", "arn")] });
    expect(byId.NoUnloggedSessions).toMatchObject({ effect: "Deny", actions: ["ssm:StartSession"], resources: [tasks] });
  });

  test("outputs name the operator policy and the session log group", () => {
    expect(json.output.ecs_exec_operator_policy_arn.value).toBe(ref("aws_iam_policy.cluster_exec_operator", "arn"));
    expect(json.output.ecs_exec_log_group_name.value).toBe(ref("aws_cloudwatch_log_group.cluster_exec_logs", "name"));
  });

  test("off (production): no exec configuration, key, log group, policy, outputs or task role grants", () => {
    const production = stacks.production;
    expect(resource(production, "aws_ecs_cluster", "cluster").configuration).toBeUndefined();
    expect(resource(production, "aws_ecs_service", "service_api").enable_execute_command).toBeUndefined();
    expect(resourcesOfType(production, "aws_kms_key").cluster_exec_key).toBeUndefined();
    expect(resourcesOfType(production, "aws_cloudwatch_log_group").cluster_exec_logs).toBeUndefined();
    expect(resourcesOfType(production, "aws_iam_policy").cluster_exec_operator).toBeUndefined();
    expect(production.output.ecs_exec_operator_policy_arn).toBeUndefined();
    expect(production.data.aws_iam_policy_document.service_api_task_role_policy).toBeUndefined();
  });

  /** A service on a bare stack, in a cluster with or without the exec configuration. */
  function bareService(props: { exec: boolean; enableExecuteCommand?: boolean; deploymentController?: "ECS" | "CODE_DEPLOY" }): EcsService {
    const { stack } = bareStack();
    const key = new EncryptionKey(stack, "key", { alias: "k", description: "k" });
    const cluster = new EcsCluster(stack, "cluster", { clusterName: "c", exec: props.exec ? { logRetentionDays: 30, logEncryptionKey: key } : undefined });
    const network = new Network(stack, "network", { namePrefix: "c", cidr: "10.0.0.0/16", availabilityZones: ["eu-west-1a", "eu-west-1b"], encryptionKey: key, natGateways: "single", instanceSecurityGroup: false });
    return new EcsService(stack, "service", {
      namePrefix: "c",
      serviceName: "api",
      parameterRoot: "/c",
      cluster,
      network,
      subnetIds: network.subnetIds("private"),
      loadBalancerSecurityGroup: network.albSecurityGroup,
      listenerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/c/1/2",
      pathPatterns: ["/*"],
      priority: 1,
      encryptionKey: key,
      logRetentionDays: 30,
      enableExecuteCommand: props.enableExecuteCommand,
      deploymentController: props.deploymentController,
    });
  }

  test("a service cannot turn exec on in a cluster without the exec configuration", () => {
    expect(() => bareService({ exec: false, enableExecuteCommand: true })).toThrow(/no ECS Exec configuration/);
    expect(() => bareService({ exec: true, enableExecuteCommand: true })).not.toThrow();
  });

  test("CODE_DEPLOY services refuse exec and the service alarms block (their alarms are the deployment group's)", () => {
    expect(() => bareService({ exec: true, enableExecuteCommand: true, deploymentController: "CODE_DEPLOY" })).toThrow(/ECS \(rolling\) deployment controller only/);
    expect(() => bareService({ exec: false, deploymentController: "CODE_DEPLOY" }).rollBackOnAlarms(["alarm"])).toThrow(/apply only to the ECS \(rolling\) deployment controller/);
    expect(() => bareService({ exec: false }).rollBackOnAlarms([])).toThrow(/at least one alarm name/);
  });
});
