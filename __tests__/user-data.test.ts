import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildSteps, CODEDEPLOY_AGENT_DROP_IN, componentDocument } from "../constructs/image-components";
import { IMAGE_COMPONENTS, ImageComponentName } from "../lib/image-builder";
import { FLEET_PROXY_PORT, FleetUserDataOptions, renderEnvSync, renderFleetNginxConf, renderFleetUserData } from "../lib/release/user-data";
import { renderTemplate, terraformLiteral } from "../lib/release/templates";
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
  proxy: { healthCheckPath: "/health", idleTimeoutSeconds: 60, clientMaxBodyMiB: 10 },
};

const componentContext = { region: "eu-central-1", urlSuffix: "amazonaws.com", nodejsMajor: 22, namePrefix: "webapp-staging" };
/** The build steps of `components`, as the stack gives them to instances without a golden AMI. */
function baselineOf(components: readonly ImageComponentName[]) {
  return buildSteps(components.map((c) => componentDocument(c, componentContext)), components);
}

/**
 * Commands that start the CodeDeploy agent and wait for it: `systemctl start|restart|reload-or-restart
 * codedeploy-agent` or `enable --now` without `--no-block`. User data runs inside cloud-final.service
 * and the agent is ordered after it, so any of them would wait for itself.
 */
function blockingAgentStarts(script: string): string[] {
  return script
    .split("\n")
    .filter((line) => /^\s*(sudo\s+)?systemctl\b/.test(line) && /\bcodedeploy-agent\b/.test(line))
    .filter((line) => /\b(start|restart|reload-or-restart|try-restart)\b/.test(line) || (/\benable\b/.test(line) && /--now\b/.test(line)))
    .filter((line) => !/--no-block\b/.test(line));
}

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

  describe("the CodeDeploy agent starts only after first-boot setup (it deploys the moment it polls)", () => {
    const drop = CODEDEPLOY_AGENT_DROP_IN;

    test("golden AMI: enabled, then started without waiting, as the very last command", () => {
      for (const script of [nodejs, docker]) {
        const lines = script.trimEnd().split("\n");
        expect(lines[lines.length - 1]).toBe("systemctl start --no-block codedeploy-agent");
        expect(script).toContain("\nsystemctl enable codedeploy-agent\n");
        // Everything the hooks rely on exists before: user, env file helper and its first run, unit, proxy.
        const start = script.indexOf("systemctl start --no-block codedeploy-agent");
        for (const before of ["useradd --system", "\n/usr/local/sbin/webapp-env-sync\n", "systemctl restart nginx", "amazon-cloudwatch-agent-ctl"]) {
          expect(script.indexOf(before)).toBeGreaterThan(-1);
          expect(script.indexOf(before)).toBeLessThan(start);
        }
      }
      expect(nodejs.indexOf("systemctl enable webapp.service")).toBeLessThan(nodejs.indexOf("systemctl start --no-block codedeploy-agent"));
    });

    test("no command waits for the agent: it is ordered after cloud-final, which runs this script", () => {
      for (const script of [nodejs, docker, renderFleetUserData({ ...options, baseline: baselineOf([...IMAGE_COMPONENTS]) })]) {
        expect(blockingAgentStarts(script)).toEqual([]);
      }
    });

    test("the check for blocking starts finds them (what today's `enable --now` would be)", () => {
      expect(blockingAgentStarts("systemctl enable --now codedeploy-agent\nsystemctl start codedeploy-agent\nsudo systemctl restart codedeploy-agent\n")).toHaveLength(3);
      expect(blockingAgentStarts("systemctl start --no-block codedeploy-agent\nsystemctl enable codedeploy-agent\nsystemctl is-active codedeploy-agent\n")).toEqual([]);
    });

    test("without a golden AMI: the agent's build steps run last, after the application is set up; the other components first", () => {
      const script = renderFleetUserData({ ...options, baseline: baselineOf([...IMAGE_COMPONENTS]) });
      const agentSteps = ["InstallRuby", "InstallAgent", "OrderAgentAfterFirstBoot", "EnableAgentAtBoot"].map((s) => script.indexOf(`\nretry ${s === "InstallRuby" || s === "InstallAgent" ? 3 : 1} codedeploy_agent_${s}\n`));
      expect(agentSteps.every((i) => i > -1)).toBe(true);
      expect([...agentSteps].sort((a, b) => a - b)).toEqual(agentSteps);
      const setupDone = script.indexOf("systemctl restart nginx");
      expect(setupDone).toBeGreaterThan(script.indexOf("\n/usr/local/sbin/webapp-env-sync\n"));
      expect(agentSteps[0]).toBeGreaterThan(setupDone);
      expect(script.indexOf("retry 3 nginx_InstallNginx")).toBeLessThan(script.indexOf("useradd --system"));
      expect(script.indexOf("retry 3 docker_InstallDocker")).toBeLessThan(script.indexOf("useradd --system"));
      // The package may start the agent during the install: the drop-in comes after it, or a start
      // through systemd would wait for cloud-final, i.e. for this script.
      expect(script.indexOf(drop.path)).toBeGreaterThan(agentSteps[1]);
      expect(script.trimEnd().endsWith("systemctl start --no-block codedeploy-agent")).toBe(true);
    });

    test("with an SSM association owning the agent: the drop-in is written before anything else, and boot starts no agent", () => {
      const script = renderFleetUserData({ ...options, codedeployAgent: false, baseline: baselineOf(["cloudwatch-agent", "docker", "nodejs", "nginx"]) });
      const body = script.slice(script.indexOf("exec > >(tee"));
      const firstCommands = body.split("\n").filter((l) => l && !l.startsWith("#")).slice(1, 4);
      expect(firstCommands).toEqual([
        `install -d -m 0755 ${drop.directory}`,
        `printf '%s\\n' ${drop.lines.map((l) => `'${l}'`).join(" ")} > ${drop.path}`,
        "systemctl daemon-reload",
      ]);
      expect(script.indexOf(drop.path)).toBeLessThan(script.indexOf("retry 3 cloudwatch_agent_InstallAgent"));
      expect(script).not.toMatch(/systemctl (enable|start)[^\n]* codedeploy-agent/);
      expect(lintShell(script)).toEqual([]);
    });

    test("a baseline that installs the agent while an SSM association owns it is refused", () => {
      expect(() => renderFleetUserData({ ...options, codedeployAgent: false, baseline: baselineOf([...IMAGE_COMPONENTS]) })).toThrow(/needs codedeployAgent/);
    });

    test("the drop-in systemd reads: [Unit] ordering after cloud-final and multi-user.target, no unknown keys (systemd-analyze verify)", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "units-"));
      // The agent's own unit as the package installs it (aws/aws-codedeploy-agent init.d/codedeploy-agent.service).
      fs.writeFileSync(path.join(dir, "codedeploy-agent.service"), "[Unit]\nDescription=AWS CodeDeploy Host Agent\n\n[Service]\nType=forking\nExecStart=/bin/true\n\n[Install]\nWantedBy=multi-user.target\n");
      fs.writeFileSync(path.join(dir, "cloud-final.service"), "[Unit]\nDescription=stand-in\n[Service]\nType=oneshot\nExecStart=/bin/true\n");
      fs.mkdirSync(path.join(dir, "codedeploy-agent.service.d"));
      // Written by the same commands the image and user data run.
      const write = spawnSync("bash", ["-c", `printf '%s\\n' ${drop.lines.map((l) => `'${l}'`).join(" ")}`], { encoding: "utf8" });
      fs.writeFileSync(path.join(dir, "codedeploy-agent.service.d", path.basename(drop.path)), write.stdout);
      expect(write.stdout).toBe(`${drop.lines.join("\n")}\n`);
      const verify = spawnSync("systemd-analyze", ["verify", path.join(dir, "codedeploy-agent.service")], { encoding: "utf8", env: { ...process.env, SYSTEMD_UNIT_PATH: `${dir}:` } });
      if (verify.error) throw new Error("systemd-analyze is not installed (Debian's systemd package provides it)");
      expect(`${verify.stdout}${verify.stderr}`).not.toMatch(/Unknown|Invalid|Failed|Missing '='/);
      expect(verify.status).toBe(0);
      const unit = write.stdout.split("\n");
      expect(unit.indexOf("[Unit]")).toBeGreaterThan(-1);
      expect(unit.slice(unit.indexOf("[Unit]"))).toContain("After=cloud-final.service multi-user.target");
    });
  });

  describe("Nginx in front of the application", () => {
    const conf = renderFleetNginxConf(options);

    test("listens for the load balancer on port 80 and proxies every path, the health check included, to the application port", () => {
      expect(FLEET_PROXY_PORT).toBe(80);
      expect(conf).toContain("listen 80 default_server;");
      expect(conf).toMatch(/location \/ \{\n\s+proxy_pass http:\/\/127\.0\.0\.1:3000;\n\s+error_page 502 504 = @no_release_yet;\n\s+\}/);
      expect(conf).toMatch(/location = \/health \{\n\s+access_log off;\n\s+proxy_pass http:\/\/127\.0\.0\.1:3000;\n(\s+#.*\n)*\s+error_page 502 504 = @before_first_release;\n\s+\}/);
      expect(renderFleetNginxConf({ ...options, appPort: 8080 })).toContain("proxy_pass http://127.0.0.1:8080;");
      expect(renderFleetNginxConf({ ...options, appPort: 8080 })).not.toContain("3000");
    });

    test("a health path that is not plain is still proxied (by location /), only logged", () => {
      const odd = renderFleetNginxConf({ ...options, proxy: { ...options.proxy, healthCheckPath: "/health;{x}" } });
      expect(odd).not.toContain("location =");
      expect(odd).toContain("location / {");
      expect(renderFleetNginxConf({ ...options, proxy: { ...options.proxy, healthCheckPath: "/status/ready" } })).toContain("location = /status/ready {");
    });

    test("gzip, the request body limit, and timeouts that follow the load balancer's idle timeout (keep-alive longer than it)", () => {
      expect(conf).toContain("gzip on;");
      expect(conf).toContain("gzip_proxied any;");
      expect(conf).toMatch(/gzip_types [^;]*application\/json[^;]*;/);
      expect(conf).toContain("client_max_body_size 10m;");
      expect(conf).toContain("keepalive_timeout 65s;");
      expect(conf).toContain("proxy_read_timeout 60s;");
      const long = renderFleetNginxConf({ ...options, proxy: { healthCheckPath: "/health", idleTimeoutSeconds: 300, clientMaxBodyMiB: 250 } });
      expect(long).toContain("keepalive_timeout 305s;");
      expect(long).toContain("proxy_read_timeout 300s;");
      expect(long).toContain("proxy_send_timeout 300s;");
      expect(long).toContain("client_max_body_size 250m;");
    });

    test("the load balancer's headers reach the application unchanged; upgrades pass, other requests close the upstream connection", () => {
      expect(conf).toContain("proxy_set_header Host $host;");
      expect(conf).not.toMatch(/proxy_set_header X-Forwarded/);
      expect(conf).toMatch(/map \$http_upgrade \$fleet_proxy_connection \{\n\s+default upgrade;\n\s+''\s+close;\n\s*\}/);
      expect(conf).toContain("proxy_set_header Connection $fleet_proxy_connection;");
    });

    test("JSON access log in the file the CloudWatch agent ships", () => {
      expect(conf).toMatch(/log_format fleet_proxy_json escape=json '\{"time":"\$time_iso8601",.*"status":\$status,.*\}';/);
      expect(conf).toContain("access_log /var/log/nginx/webapp-access.log fleet_proxy_json;");
    });

    test("user data writes the site, checks it with nginx -t and restarts Nginx, before the agent starts", () => {
      for (const script of [nodejs, docker]) {
        expect(script).toContain(`cat >/etc/nginx/conf.d/webapp.conf <<'NGINX'\n${conf}\nNGINX\nnginx -t\nsystemctl enable nginx\nsystemctl restart nginx\n`);
      }
    });
  });

  describe("without a golden AMI: the components' build steps at first boot", () => {
    const components = [...IMAGE_COMPONENTS];
    const baseline = baselineOf(components);
    const script = renderFleetUserData({ ...options, baseline });

    test("passes bash -n and shellcheck", () => {
      expect(lintShell(script)).toEqual([]);
    });

    test("every build step of every component runs, with Image Builder's retries (the agent's last, see above)", () => {
      expect(baseline.map((s) => s.name)).toEqual([
        "codedeploy_agent_InstallRuby",
        "codedeploy_agent_InstallAgent",
        "codedeploy_agent_OrderAgentAfterFirstBoot",
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
