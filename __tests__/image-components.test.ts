import * as YAML from "yaml";
import { CODEDEPLOY_AGENT_DROP_IN, codedeployAgentDropInCommands, codeDeployInstallerUrl, ComponentContext, componentDocument, renderComponentDocument } from "../constructs/image-components";
import { IMAGE_COMPONENTS, ImageComponentName } from "../lib/image-builder";

const context: ComponentContext = { region: "eu-west-1", urlSuffix: "amazonaws.com", nodejsMajor: 22, namePrefix: "app-test" };

/** The rendered YAML of a component, parsed back as Image Builder would read it. */
function parsed(name: ImageComponentName, overrides: Partial<ComponentContext> = {}): any {
  return YAML.parse(renderComponentDocument(componentDocument(name, { ...context, ...overrides })));
}

/** Commands of one step, without the `set -euo pipefail` every step starts with. */
function commands(doc: any, phase: string, step: string): string[] {
  const found = doc.phases.find((p: any) => p.name === phase)?.steps.find((s: any) => s.name === step);
  if (!found) throw new Error(`${doc.name} has no step ${phase}/${step}`);
  return found.inputs.commands.slice(1);
}

function stepNames(doc: any): Record<string, string[]> {
  return Object.fromEntries(doc.phases.map((p: any) => [p.name, p.steps.map((s: any) => s.name)]));
}

describe("component documents", () => {
  test.each(IMAGE_COMPONENTS)("%s: schema 1.0, name, description, then build, validate and test phases of bash steps that stop at the first error", (name) => {
    const text = renderComponentDocument(componentDocument(name, context));
    expect(text).toMatch(/^name: app-test-.+\ndescription: .+\nschemaVersion: 1\.0\nphases:\n/);
    const doc = YAML.parse(text);
    expect(doc.name).toBe(`app-test-${name}`);
    expect(doc.phases.map((p: any) => p.name)).toEqual(["build", "validate", "test"]);
    for (const phase of doc.phases) {
      expect(phase.steps.length).toBeGreaterThan(0);
      for (const step of phase.steps) {
        expect(step.name).toMatch(/^[A-Za-z0-9]+$/);
        expect(step.action).toBe("ExecuteBash");
        expect(step.inputs.commands[0]).toBe("set -euo pipefail");
        expect(step.inputs.commands.length).toBeGreaterThan(1);
      }
    }
  });

  test.each(IMAGE_COMPONENTS)("%s: nothing Terraform or AWSTOE would interpolate", (name) => {
    const text = renderComponentDocument(componentDocument(name, context));
    expect(text).not.toMatch(/[$%]\{/);
    expect(text).not.toContain("{{");
  });

  test("CodeDeploy agent: Ruby, the installer from the region's bucket over HTTPS, enabled at boot, checked in validate and after boot", () => {
    const doc = parsed("codedeploy-agent");
    expect(stepNames(doc)).toEqual({
      build: ["InstallRuby", "InstallAgent", "OrderAgentAfterFirstBoot", "EnableAgentAtBoot"],
      validate: ["AgentInstalledAndEnabled", "AgentStartsAfterFirstBoot"],
      test: ["AgentRunsAfterBoot"],
    });
    expect(commands(doc, "build", "InstallRuby")).toEqual(["dnf install -y ruby"]);
    expect(commands(doc, "build", "InstallAgent")).toEqual([
      "curl --fail --silent --show-error --location --retry 5 --output /tmp/codedeploy-agent-install https://aws-codedeploy-eu-west-1.s3.eu-west-1.amazonaws.com/latest/install",
      "chmod +x /tmp/codedeploy-agent-install",
      "AWS_REGION=eu-west-1 /tmp/codedeploy-agent-install auto",
      "rm -f /tmp/codedeploy-agent-install",
    ]);
    expect(commands(doc, "build", "EnableAgentAtBoot")).toEqual(["systemctl enable codedeploy-agent"]);
    expect(commands(doc, "validate", "AgentInstalledAndEnabled")).toEqual(["rpm -q codedeploy-agent", "systemctl is-enabled codedeploy-agent"]);
    expect(commands(doc, "test", "AgentRunsAfterBoot")).toContain("systemctl is-active codedeploy-agent");
  });

  test("CodeDeploy agent: the image starts it only after first-boot setup (a systemd drop-in orders it after cloud-final), checked in validate and after boot", () => {
    const doc = parsed("codedeploy-agent");
    const dropIn = "/etc/systemd/system/codedeploy-agent.service.d/10-after-first-boot.conf";
    expect(CODEDEPLOY_AGENT_DROP_IN.path).toBe(dropIn);
    expect(commands(doc, "build", "OrderAgentAfterFirstBoot")).toEqual([
      "install -d -m 0755 /etc/systemd/system/codedeploy-agent.service.d",
      `printf '%s\\n' '# Start the CodeDeploy agent only after first-boot setup (user data runs in cloud-final.service).' '[Unit]' 'After=cloud-final.service multi-user.target' > ${dropIn}`,
      "systemctl daemon-reload",
    ]);
    expect(commands(doc, "build", "OrderAgentAfterFirstBoot")).toEqual(codedeployAgentDropInCommands());
    // After the install (the package may start the agent) and before enabling it.
    const build = stepNames(doc).build;
    expect(build.indexOf("OrderAgentAfterFirstBoot")).toBe(build.indexOf("InstallAgent") + 1);
    const ordered = "systemctl show --property=After codedeploy-agent | grep -qw cloud-final.service";
    expect(commands(doc, "validate", "AgentStartsAfterFirstBoot")).toEqual([`test -f ${dropIn}`, ordered]);
    const afterBoot = commands(doc, "test", "AgentRunsAfterBoot");
    expect(afterBoot).toContain(ordered);
    // On the test instance the agent starts once cloud-final is done: wait for it, bounded.
    expect(afterBoot).toContain("timeout 600 bash -c 'until systemctl is-active --quiet codedeploy-agent; do sleep 5; done'");
    expect(afterBoot.indexOf("systemctl is-active codedeploy-agent")).toBeGreaterThan(afterBoot.findIndex((c) => c.startsWith("timeout 600")));
    expect(doc.description).toMatch(/started after first-boot setup \(cloud-final\)/);
  });

  test("CodeDeploy agent: downloads retry, the bucket follows the region and partition", () => {
    const doc = parsed("codedeploy-agent", { region: "us-east-2" });
    expect(doc.phases[0].steps.find((s: any) => s.name === "InstallAgent").maxAttempts).toBe(3);
    expect(commands(doc, "build", "InstallAgent")[0]).toContain("https://aws-codedeploy-us-east-2.s3.us-east-2.amazonaws.com/latest/install");
    expect(codeDeployInstallerUrl("cn-north-1", "amazonaws.com.cn")).toBe("https://aws-codedeploy-cn-north-1.s3.cn-north-1.amazonaws.com.cn/latest/install");
  });

  test("Docker: engine installed and enabled, ec2-user in the docker group, checked again after boot", () => {
    const doc = parsed("docker");
    expect(commands(doc, "build", "InstallDocker")).toEqual(["dnf install -y docker"]);
    expect(commands(doc, "build", "EnableDockerAtBoot")).toEqual(["systemctl enable docker"]);
    expect(commands(doc, "build", "AddEc2UserToDockerGroup")).toEqual(["usermod -aG docker ec2-user"]);
    expect(commands(doc, "validate", "DockerInstalledAndEnabled")).toEqual(["docker --version", "systemctl is-enabled docker", "id -nG ec2-user | grep -qw docker"]);
    expect(commands(doc, "test", "DockerRunsAfterBoot")).toEqual(["systemctl is-active docker", "docker info > /dev/null", "id -nG ec2-user | grep -qw docker"]);
  });

  test.each([20, 22, 24])("Node.js %i: the namespaced packages, selected as node, version checked", (major) => {
    const doc = parsed("nodejs", { nodejsMajor: major });
    // tar unpacks each release's node_modules (templates/release/nodejs/after-install.sh).
    expect(commands(doc, "build", "InstallNodejs")).toEqual([`dnf install -y nodejs${major} nodejs${major}-npm tar`]);
    expect(commands(doc, "build", "SelectNodejs")).toEqual([`alternatives --set node /usr/bin/node-${major}`]);
    expect(commands(doc, "validate", "NodejsInstalled")).toEqual([`node --version | grep -q '^v${major}[.]'`, "npm --version"]);
    expect(commands(doc, "test", "NodejsRuns")[0]).toBe(`node --version | grep -q '^v${major}[.]'`);
    expect(doc.description).toContain(`Node.js ${major}`);
  });

  test("Nginx: installed, enabled at boot, configuration valid, serving after boot", () => {
    const doc = parsed("nginx");
    expect(commands(doc, "build", "InstallNginx")).toEqual(["dnf install -y nginx"]);
    expect(commands(doc, "build", "EnableNginxAtBoot")).toEqual(["systemctl enable nginx"]);
    expect(commands(doc, "validate", "NginxConfigValid")).toEqual(["nginx -t", "systemctl is-enabled nginx"]);
    expect(commands(doc, "test", "NginxServesAfterBoot")[0]).toBe("systemctl is-active nginx");
    expect(commands(doc, "test", "NginxServesAfterBoot")[1]).toMatch(/^curl --fail .* http:\/\/127\.0\.0\.1\/$/);
  });

  test("CloudWatch agent: installed from the distribution, neither enabled nor started (its configuration comes from SSM at boot)", () => {
    const doc = parsed("cloudwatch-agent");
    expect(commands(doc, "build", "InstallAgent")).toEqual(["dnf install -y amazon-cloudwatch-agent"]);
    expect(JSON.stringify(doc.phases[0])).not.toMatch(/systemctl|fetch-config|-a start/);
    expect(commands(doc, "validate", "AgentInstalled")).toEqual(["rpm -q amazon-cloudwatch-agent", "test -x /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl"]);
    expect(commands(doc, "test", "AgentControllable")).toEqual(["/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a status"]);
  });

  test("a command Terraform would interpolate is refused", () => {
    const document = { name: "bad", description: "d", phases: [{ name: "build" as const, steps: [{ name: "Echo", action: "ExecuteBash" as const, inputs: { commands: ["echo ${HOME}"] } }] }] };
    expect(() => renderComponentDocument(document)).toThrow(/Component document bad contains "\$\{", which Terraform would interpolate; write \$VAR/);
  });

  test("a command Terraform would interpolate is refused again when its body was rendered before", () => {
    const document = { name: "bad-again", description: "d", phases: [{ name: "build" as const, steps: [{ name: "Echo", action: "ExecuteBash" as const, inputs: { commands: ["echo ${HOME}"] } }] }] };
    expect(() => renderComponentDocument(document)).toThrow(/Component document bad-again contains "\$\{"/);
    expect(() => renderComponentDocument(document)).toThrow(/Component document bad-again contains "\$\{"/);
  });

  test("documents that differ in name only (one per environment) each carry their own name, the rest is the same text", () => {
    const staging = renderComponentDocument(componentDocument("nodejs", { ...context, namePrefix: "app-staging" }));
    const production = renderComponentDocument(componentDocument("nodejs", { ...context, namePrefix: "app-production" }));
    expect(YAML.parse(staging).name).toBe("app-staging-nodejs");
    expect(YAML.parse(production).name).toBe("app-production-nodejs");
    expect(production.replace("app-production-nodejs", "app-staging-nodejs")).toBe(staging);
    // Different content is rendered on its own, not taken from a document rendered before.
    const node20 = renderComponentDocument(componentDocument("nodejs", { ...context, namePrefix: "app-staging", nodejsMajor: 20 }));
    expect(node20).not.toBe(staging);
    expect(node20).toContain("nodejs20");
  });

  test("a name that needs quoting is quoted as it would be inside the whole document", () => {
    const text = renderComponentDocument({ ...componentDocument("docker", context), name: "app: #1" });
    expect(text.startsWith('name: "app: #1"\ndescription: ')).toBe(true);
    expect(YAML.parse(text).name).toBe("app: #1");
  });
});
