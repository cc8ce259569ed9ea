import { buildSteps, componentDocument } from "../constructs/image-components";
import { IMAGE_COMPONENTS } from "../lib/image-builder";
import { FleetUserDataOptions, renderEnvSync, renderFleetUserData } from "../lib/user-data";
import { renderTemplate, terraformLiteral } from "../lib/templates";
import { lintShell } from "./helpers/shell";

const options: FleetUserDataOptions = {
  appName: "webapp",
  envName: "staging",
  region: "eu-west-1",
  runtime: "nodejs",
  appUser: "webapp",
  appDirectory: "/opt/webapp",
  appPort: 3000,
  agentConfigParameter: "/webapp/staging/cloudwatch-agent/config",
  parameterPath: "/webapp/staging/env/",
  envFile: "/etc/webapp/app.env",
};

describe("fleet user data", () => {
  const nodejs = renderFleetUserData(options);
  const docker = renderFleetUserData({ ...options, runtime: "docker" });

  test.each([
    ["nodejs", nodejs],
    ["docker", docker],
    ["env sync helper", renderEnvSync(options)],
  ])("%s script passes bash -n and shellcheck", (_name, script) => {
    expect(lintShell(script)).toEqual([]);
  });

  test("the lint catches what it should (a script with an unquoted expansion and a syntax error)", () => {
    expect(lintShell('#!/bin/bash\nrm -rf $1/tmp\n').join("\n")).toMatch(/SC2086/);
    expect(lintShell("#!/bin/bash\nif true; then\n").join("\n")).toMatch(/bash -n/);
  });

  test("(a) starts the CloudWatch agent with its configuration from SSM", () => {
    expect(nodejs).toMatch(/amazon-cloudwatch-agent-ctl \\\n\s+-a fetch-config -m ec2 -s -c "ssm:\/webapp\/staging\/cloudwatch-agent\/config"/);
  });

  test("(b) writes the environment file from the SSM path, decrypting, with restrictive permissions", () => {
    const sync = renderEnvSync(options);
    expect(sync).toContain('readonly PARAMETER_PATH="/webapp/staging/env/"');
    expect(sync).toMatch(/get-parameters-by-path[\s\S]*--recursive[\s\S]*--with-decryption/);
    expect(sync).toContain('chmod 0640 "$tmp"');
    expect(sync).toContain('mv "$tmp" "$ENV_FILE"');
    expect(nodejs).toContain("/usr/local/sbin/webapp-env-sync\n");
  });

  test("(c) Node.js: a systemd unit that runs npm start in the application directory, enabled at boot", () => {
    expect(nodejs).toContain("cat >/etc/systemd/system/webapp.service <<'UNIT'");
    expect(nodejs).toContain("WorkingDirectory=/opt/webapp");
    expect(nodejs).toContain("ExecStart=/usr/bin/npm start --silent");
    expect(nodejs).toContain("EnvironmentFile=-/etc/webapp/app.env");
    expect(nodejs).toContain("Environment=PORT=3000");
    expect(nodejs).toContain("User=webapp");
    expect(nodejs).toContain("ConditionPathExists=/opt/webapp/package.json");
    expect(nodejs).toContain("systemctl enable webapp.service");
  });

  test("Docker: no systemd unit; the application user may use Docker", () => {
    expect(docker).not.toContain("webapp.service");
    expect(docker).toContain('usermod -aG docker "webapp"');
    expect(nodejs).not.toContain("usermod -aG docker");
  });

  test("the CodeDeploy agent is running after boot", () => {
    expect(nodejs).toContain("systemctl enable --now codedeploy-agent");
  });

  test("with an SSM association owning the CodeDeploy agent, boot does not start an agent that is not there yet", () => {
    expect(renderFleetUserData({ ...options, codedeployAgent: false })).not.toContain("codedeploy-agent");
  });

  describe("without a golden AMI: the components' build steps at first boot", () => {
    const context = { region: "eu-central-1", urlSuffix: "amazonaws.com", nodejsMajor: 22, namePrefix: "webapp-staging" };
    const components = [...IMAGE_COMPONENTS];
    const baseline = buildSteps(components.map((c) => componentDocument(c, context)), components);
    const script = renderFleetUserData({ ...options, baseline });

    test("passes bash -n and shellcheck", () => {
      expect(lintShell(script)).toEqual([]);
    });

    test("every build step of every component runs, with Image Builder's retries, before the instance is wired up", () => {
      expect(baseline.map((s) => s.name)).toEqual([
        "codedeploy_agent_InstallRuby",
        "codedeploy_agent_InstallAgent",
        "codedeploy_agent_EnableAgentAtBoot",
        "cloudwatch_agent_InstallAgent",
        "docker_InstallDocker",
        "docker_EnableDockerAtBoot",
        "docker_AddEc2UserToDockerGroup",
        "nodejs_InstallNodejs",
        "nodejs_SelectNodejs",
        "nginx_InstallNginx",
        "nginx_EnableNginxAtBoot",
      ]);
      for (const step of baseline) expect(script).toContain(`\nretry ${step.maxAttempts} ${step.name}\n`);
      expect(script).toContain("retry 3 codedeploy_agent_InstallAgent");
      expect(script.indexOf("retry 1 nginx_EnableNginxAtBoot")).toBeLessThan(script.indexOf("amazon-cloudwatch-agent-ctl"));
    });

    test("a multi-command step fails as a whole when one command fails (joined with &&, since set -e is off inside until)", () => {
      expect(script).toMatch(/codedeploy_agent_InstallAgent\(\) \{\n  curl [^\n]+ &&\n    chmod \+x \/tmp\/codedeploy-agent-install &&\n    AWS_REGION=eu-central-1 \/tmp\/codedeploy-agent-install auto &&\n    rm -f/);
    });

    test("an image with everything gets no baseline", () => {
      expect(nodejs).not.toContain("retry");
    });
  });

  test("nested scripts go through quoted here-documents (no expansion at first boot)", () => {
    expect(nodejs).toMatch(/<<'ENV_SYNC'\n#!\/bin\/bash\n[\s\S]*\nENV_SYNC\n/);
  });
});

describe("templates", () => {
  test("a missing value is an error, not an empty string", () => {
    expect(() => renderTemplate("fleet/app.service", { appName: "x" })).toThrow(/templates\/fleet\/app\.service: no value for envName, appDirectory/);
  });

  test("terraformLiteral escapes interpolation and directives, once", () => {
    expect(terraformLiteral('a ${b} %{c} $d')).toBe("a $${b} %%{c} $d");
  });
});
