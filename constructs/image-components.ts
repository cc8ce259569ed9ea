import * as YAML from "yaml";
import { ImageComponentName } from "../lib/image-builder";

/*
 * Image Builder component documents (AWSTOE schema 1.0) of the golden AMI, as typed data. They are
 * rendered to YAML by the `yaml` library, never concatenated as text, so quoting is always right and
 * tests can parse them back. Shell steps are plain command strings; none may contain `${` or `%{`,
 * which Terraform would interpolate when the document sits in a resource's `data` argument (write
 * `$VAR`, not `${VAR}`). `{{ }}` is AWSTOE's own variable syntax and is not used here either.
 */

export type PhaseName = "build" | "validate" | "test";

/** One AWSTOE step; every step here is a bash script. */
export interface ComponentStep {
  /** Unique within its phase; letters and digits. */
  readonly name: string;
  readonly action: "ExecuteBash";
  /** Retries for steps that download (package mirrors and S3 have transient failures). */
  readonly maxAttempts?: number;
  readonly inputs: { readonly commands: readonly string[] };
}

export interface ComponentPhase {
  readonly name: PhaseName;
  readonly steps: readonly ComponentStep[];
}

/** An AWSTOE component document. */
export interface ComponentDocument {
  readonly name: string;
  readonly description: string;
  readonly phases: readonly ComponentPhase[];
}

export interface ComponentContext {
  /** Region the image is built in (the CodeDeploy agent comes from that region's bucket). */
  readonly region: string;
  /** `amazonaws.com`, or `amazonaws.com.cn` in China regions. */
  readonly urlSuffix: string;
  /** Node.js major for the `nodejs` component. */
  readonly nodejsMajor: number;
  /** Prefix of the document name, e.g. `webapp-staging`. */
  readonly namePrefix: string;
}

/** The document of one component. */
export function componentDocument(name: ImageComponentName, context: ComponentContext): ComponentDocument {
  const documentName = `${context.namePrefix}-${name}`;
  switch (name) {
    case "codedeploy-agent":
      return codeDeployAgent(documentName, context.region, context.urlSuffix);
    case "cloudwatch-agent":
      return cloudWatchAgent(documentName);
    case "docker":
      return docker(documentName);
    case "nodejs":
      return nodejs(documentName, context.nodejsMajor);
    case "nginx":
      return nginx(documentName);
  }
}

/** The CodeDeploy agent's installer for `region`: the regional bucket, over HTTPS. */
export function codeDeployInstallerUrl(region: string, urlSuffix: string): string {
  return `https://aws-codedeploy-${region}.s3.${region}.${urlSuffix}/latest/install`;
}

/**
 * The systemd drop-in that holds the CodeDeploy agent back until first-boot setup has finished.
 *
 * On a new instance (scale-out, a blue/green copy) CodeDeploy deploys as soon as the agent polls;
 * user data, which creates the application user, the environment file and the unit the hooks
 * use, runs in cloud-final.service. `After=cloud-final.service` makes the agent's start job wait
 * for that unit (ordering applies whether cloud-final succeeds or fails, so a broken boot still
 * fails the deployment visibly instead of leaving the launch hook to time out).
 * `After=multi-user.target` as well: the agent is WantedBy=multi-user.target, and a target orders
 * itself after the units it wants unless they are ordered after it; cloud-init versions whose
 * cloud-final.service is After=multi-user.target (current upstream) would otherwise close a cycle
 * agent → cloud-final → multi-user.target → agent, which systemd breaks by dropping a start job.
 * Consequence for user data: it runs inside cloud-final, so it must never start the agent and
 * wait for it (`systemctl start` without `--no-block` would wait for itself: aws/amazon-ecs-agent#1707).
 */
export const CODEDEPLOY_AGENT_DROP_IN = {
  directory: "/etc/systemd/system/codedeploy-agent.service.d",
  path: "/etc/systemd/system/codedeploy-agent.service.d/10-after-first-boot.conf",
  lines: [
    "# Start the CodeDeploy agent only after first-boot setup (user data runs in cloud-final.service).",
    "[Unit]",
    "After=cloud-final.service multi-user.target",
  ],
} as const;

/** Shell commands that write {@link CODEDEPLOY_AGENT_DROP_IN} and make systemd read it. */
export function codedeployAgentDropInCommands(): string[] {
  const d = CODEDEPLOY_AGENT_DROP_IN;
  return [`install -d -m 0755 ${d.directory}`, `printf '%s\\n' ${d.lines.map((l) => `'${l}'`).join(" ")} > ${d.path}`, "systemctl daemon-reload"];
}

/** True when `systemctl show --property=After codedeploy-agent` lists cloud-final.service. */
const AGENT_ORDERED_AFTER_FIRST_BOOT = "systemctl show --property=After codedeploy-agent | grep -qw cloud-final.service";

function codeDeployAgent(name: string, region: string, urlSuffix: string): ComponentDocument {
  const installer = "/tmp/codedeploy-agent-install";
  return {
    name,
    description: `CodeDeploy agent from the ${region} bucket, enabled at boot and started after first-boot setup (cloud-final), so instances launched from the image take deployments once their user data has run`,
    phases: [
      phase("build", [
        step("InstallRuby", ["dnf install -y ruby"], 3),
        step(
          "InstallAgent",
          [
            `curl --fail --silent --show-error --location --retry 5 --output ${installer} ${codeDeployInstallerUrl(region, urlSuffix)}`,
            `chmod +x ${installer}`,
            // The installer would otherwise ask the instance metadata service for the region.
            `AWS_REGION=${region} ${installer} auto`,
            `rm -f ${installer}`,
          ],
          3,
        ),
        // After the install: the package may start the agent itself, and at first boot without a
        // golden AMI these steps run inside cloud-final, where a start ordered after it would wait
        // for itself.
        step("OrderAgentAfterFirstBoot", codedeployAgentDropInCommands()),
        step("EnableAgentAtBoot", ["systemctl enable codedeploy-agent"]),
      ]),
      phase("validate", [
        step("AgentInstalledAndEnabled", ["rpm -q codedeploy-agent", "systemctl is-enabled codedeploy-agent"]),
        step("AgentStartsAfterFirstBoot", [`test -f ${CODEDEPLOY_AGENT_DROP_IN.path}`, AGENT_ORDERED_AFTER_FIRST_BOOT]),
      ]),
      phase("test", [
        step("AgentRunsAfterBoot", [
          "systemctl is-enabled codedeploy-agent",
          AGENT_ORDERED_AFTER_FIRST_BOOT,
          // The agent starts when cloud-final has finished, which may be after this step begins.
          "timeout 600 bash -c 'until systemctl is-active --quiet codedeploy-agent; do sleep 5; done'",
          "systemctl is-active codedeploy-agent",
        ]),
      ]),
    ],
  };
}

function cloudWatchAgent(name: string): ComponentDocument {
  const ctl = "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl";
  return {
    name,
    description: "CloudWatch agent from the Amazon Linux 2023 repository; installed, not started: instances load its configuration from SSM Parameter Store at boot",
    phases: [
      phase("build", [step("InstallAgent", ["dnf install -y amazon-cloudwatch-agent"], 3)]),
      phase("validate", [step("AgentInstalled", ["rpm -q amazon-cloudwatch-agent", `test -x ${ctl}`])]),
      phase("test", [step("AgentControllable", [`${ctl} -a status`])]),
    ],
  };
}

function docker(name: string): ComponentDocument {
  const inDockerGroup = "id -nG ec2-user | grep -qw docker";
  return {
    name,
    description: "Docker engine, enabled at boot, with ec2-user in the docker group",
    phases: [
      phase("build", [
        step("InstallDocker", ["dnf install -y docker"], 3),
        step("EnableDockerAtBoot", ["systemctl enable docker"]),
        step("AddEc2UserToDockerGroup", ["usermod -aG docker ec2-user"]),
      ]),
      phase("validate", [step("DockerInstalledAndEnabled", ["docker --version", "systemctl is-enabled docker", inDockerGroup])]),
      phase("test", [step("DockerRunsAfterBoot", ["systemctl is-active docker", "docker info > /dev/null", inDockerGroup])]),
    ],
  };
}

function nodejs(name: string, major: number): ComponentDocument {
  const versionCheck = `node --version | grep -q '^v${major}[.]'`;
  return {
    name,
    description: `Node.js ${major} from the Amazon Linux 2023 repository, the active node and npm`,
    phases: [
      phase("build", [
        // tar: AfterInstall unpacks the release's node_modules, which CodeBuild packed (release files).
        step("InstallNodejs", [`dnf install -y nodejs${major} nodejs${major}-npm tar`], 3),
        // AL2023 namespaces Node.js majors; alternatives decides which one `node` and `npm` run.
        step("SelectNodejs", [`alternatives --set node /usr/bin/node-${major}`]),
      ]),
      phase("validate", [step("NodejsInstalled", [versionCheck, "npm --version"])]),
      phase("test", [step("NodejsRuns", [versionCheck, "node -e 'process.exit(0)'"])]),
    ],
  };
}

function nginx(name: string): ComponentDocument {
  return {
    name,
    description: "Nginx, enabled at boot (on fleet instances the user data adds the reverse-proxy site in front of the application; hosts configure their own)",
    phases: [
      phase("build", [step("InstallNginx", ["dnf install -y nginx"], 3), step("EnableNginxAtBoot", ["systemctl enable nginx"])]),
      phase("validate", [step("NginxConfigValid", ["nginx -t", "systemctl is-enabled nginx"])]),
      phase("test", [
        step("NginxServesAfterBoot", ["systemctl is-active nginx", "curl --fail --silent --show-error --output /dev/null --retry 5 --retry-connrefused http://127.0.0.1/"]),
      ]),
    ],
  };
}

/** A build step as plain bash, for instances that install at first boot what a golden AMI would have baked. */
export interface BuildStep {
  /** The component the step belongs to. */
  readonly component: ImageComponentName;
  /** `<component>_<step>`, usable as a bash function name. */
  readonly name: string;
  readonly maxAttempts: number;
  /** The step's commands, without the `set -euo pipefail` line every component step starts with. */
  readonly commands: readonly string[];
}

/** The build phase of `documents`, in order: the same commands Image Builder runs when it bakes the image. */
export function buildSteps(documents: readonly ComponentDocument[], components: readonly ImageComponentName[]): BuildStep[] {
  return documents.flatMap((document, i) =>
    (document.phases.find((p) => p.name === "build")?.steps ?? []).map((s) => ({
      component: components[i],
      name: `${components[i].replace(/-/g, "_")}_${s.name}`,
      maxAttempts: s.maxAttempts ?? 1,
      commands: s.inputs.commands.filter((c) => c !== "set -euo pipefail"),
    })),
  );
}

function phase(name: PhaseName, steps: ComponentStep[]): ComponentPhase {
  return { name, steps };
}

/** A bash step that stops at the first failing command (AWSTOE only looks at the script's exit code). */
function step(name: string, commands: string[], maxAttempts?: number): ComponentStep {
  return { name, action: "ExecuteBash", ...(maxAttempts ? { maxAttempts } : {}), inputs: { commands: ["set -euo pipefail", ...commands] } };
}

/**
 * The YAML text of a document, as Image Builder reads it: name, description, `schemaVersion: 1.0`,
 * then phases.
 *
 * Environments differ only in the name of an otherwise equal document, so everything after the
 * name is rendered once per distinct content and reused (a top-level mapping entry renders the
 * same alone as in its mapping): a fifth of building a fleet environment otherwise.
 */
export function renderComponentDocument(document: ComponentDocument): string {
  const key = JSON.stringify([document.description, document.phases]);
  let body = renderedBodies.get(key);
  if (body === undefined) {
    const doc = new YAML.Document({ description: document.description, schemaVersion: 1, phases: document.phases });
    const version = doc.get("schemaVersion", true) as YAML.Scalar;
    // AWSTOE documents say `schemaVersion: 1.0`; a bare number would render as `1`.
    version.minFractionDigits = 1;
    body = doc.toString({ lineWidth: 0 });
    renderedBodies.set(key, body);
  }
  const text = new YAML.Document({ name: document.name }).toString({ lineWidth: 0 }) + body;
  const interpolated = /[$%]\{/.exec(text);
  if (interpolated) {
    throw new Error(`Component document ${document.name} contains "${interpolated[0]}", which Terraform would interpolate; write $VAR instead of \${VAR}`);
  }
  return text;
}

/** Rendered document bodies by content (a few per component: regions and Node.js majors). */
const renderedBodies = new Map<string, string>();
