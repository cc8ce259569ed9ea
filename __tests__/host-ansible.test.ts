// The generated Ansible playbook of a plain host (host.ansible, issue 17 item 3): written for the hosts
// example, then checked by the tools that run it: `ansible-playbook --syntax-check`, `ansible-lint`
// (once: it takes seconds) and `caddy validate` on the rendered Caddyfile. The Debian packages
// ansible-core, ansible-lint and caddy are required (scripts/test.mjs installs them): a missing one
// fails the test with its name, never skips it.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { loadConfigFile, parseConfig } from "../lib/config/load";
import { CADDY_IMAGE, COMPOSE_PLUGIN_VERSION } from "../lib/release/host-files";
import { generatedFiles, releaseFiles } from "../lib/release/release-files";
import { lintShell } from "./helpers/shell";
import { synthConfig } from "./helpers/synth";

jest.setTimeout(180_000);

const root = path.join(__dirname, "..");
const config = loadConfigFile(path.join(root, "config", "examples", "hosts.yaml"));

/** Runs a tool of a Debian package; a missing tool is an error naming the package. */
function tool(pkg: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { status: number | null; output: string } {
  const run = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ANSIBLE_NOCOLOR: "1", NO_COLOR: "1", ANSIBLE_LOCAL_TEMP: path.join(cwd, ".ansible-tmp"), ...env } });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    throw new Error(`${command} is missing: install the Debian package \`${pkg}\` (apt-get install --no-install-recommends ${pkg}); npm test installs it (scripts/test.mjs)`);
  }
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** generated/ of the example in a temporary directory, with the inventory the stack would output. */
function writeGenerated(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "host-ansible-"));
  for (const f of generatedFiles(config)) {
    const file = path.join(dir, f.path);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, f.content, { mode: f.mode ?? 0o644 });
  }
  return dir;
}

describe("the hosts example's playbook", () => {
  const dir = writeGenerated();
  const ansible = path.join(dir, "staging", "ansible");
  const stacks = synthConfig(config);
  const inventory = (env: string) =>
    String(stacks[env].output.ansible_inventory.value).replace(/\$\{[^}]+\}/g, (ref: string) => (ref.includes("public_ip") ? "192.0.2.10" : ref.includes("instance") ? "i-0123456789abcdef0" : "shop-artifacts"));

  test("files: playbook, Caddyfile, Caddy's Compose project, env-sync helper, prune service and timer", () => {
    expect(releaseFiles(config, "staging").map((f) => f.path).filter((p) => p.startsWith("ansible/"))).toEqual([
      "ansible/files/Caddyfile",
      "ansible/files/caddy-compose.yaml",
      "ansible/files/shop-env-sync",
      "ansible/files/shop-image-prune.service",
      "ansible/files/shop-image-prune.timer",
      "ansible/playbook.yml",
    ]);
    expect(fs.statSync(path.join(ansible, "files/shop-env-sync")).mode & 0o777).toBe(0o755);
  });

  test("the playbook targets the inventory's group and does what the issue asks, in order", () => {
    const [play] = YAML.parse(fs.readFileSync(path.join(ansible, "playbook.yml"), "utf8"));
    expect(inventory("staging")).toMatch(/^\[shop_staging\]\n/);
    expect(play.hosts).toBe("shop_staging");
    expect(play.become).toBe(true);
    const tasks: any[] = play.tasks;
    const names = tasks.map((t) => t.name);
    const at = (re: RegExp) => names.findIndex((n) => re.test(n));
    // Security updates first; Docker before anything that uses it.
    expect(tasks[0]["ansible.builtin.dnf"]).toEqual({ name: "*", state: "latest", security: true, update_only: true });
    expect(tasks[1]["ansible.builtin.dnf"].name).toEqual(["docker", "amazon-cloudwatch-agent"]);
    const compose = tasks[at(/Compose plugin/)]["ansible.builtin.get_url"];
    expect(compose).toMatchObject({ dest: "/usr/local/lib/docker/cli-plugins/docker-compose", checksum: "sha256:{{ compose_url }}.sha256", mode: "0755" });
    expect(play.vars.compose_version).toBe(COMPOSE_PLUGIN_VERSION);
    expect(at(/Start Docker/)).toBeGreaterThan(at(/Compose plugin/));
    expect(tasks[at(/Write the environment file/)]["ansible.builtin.command"].cmd).toBe("/usr/local/sbin/shop-env-sync");
    expect(at(/Write the environment file/)).toBeGreaterThan(at(/Install the environment file helper/));
    expect(tasks[at(/Prune old images/)]["ansible.builtin.systemd_service"]).toMatchObject({ name: "shop-image-prune.timer", enabled: true, state: "started" });
    expect(tasks[at(/Install the Caddyfile/)]["ansible.builtin.copy"].validate).toContain(`${CADDY_IMAGE} caddy validate --config /etc/caddy/Caddyfile`);
    expect(tasks[at(/Start the CloudWatch agent/)]["ansible.builtin.command"].cmd).toBe(
      `/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c ssm:${stacks.staging.resource.aws_ssm_parameter.cloudwatch_agent_config.name}`,
    );
  });

  test("Caddyfile: automatic HTTPS for the host name, proxying to the application on the loopback; caddy validate accepts it", () => {
    const caddyfile = fs.readFileSync(path.join(ansible, "files/Caddyfile"), "utf8");
    expect(caddyfile).toContain("\temail ops@example.com\n");
    expect(caddyfile).toContain("staging.shop.example.com {\n");
    expect(caddyfile).toContain("reverse_proxy 127.0.0.1:3000 {\n\t\thealth_uri /health\n");
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "caddy-"));
    const run = tool("caddy", "caddy", ["validate", "--config", path.join(ansible, "files/Caddyfile"), "--adapter", "caddyfile"], home, { HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home });
    expect({ status: run.status, output: run.status === 0 ? "" : run.output }).toEqual({ status: 0, output: "" });
    expect(run.output).toContain("Valid configuration");
  });

  test("without a host name Caddy serves plain HTTP on :80 (no name to get a certificate for), and caddy validate accepts that too", () => {
    const raw = YAML.parse(fs.readFileSync(path.join(root, "config", "examples", "hosts.yaml"), "utf8"));
    delete raw.environments.production.host.hostName;
    delete raw.environments.production.host.hostedZoneId;
    delete raw.environments.production.host.ansible.acmeEmail;
    const caddyfile = releaseFiles(parseConfig(raw), "production").find((f) => f.path === "ansible/files/Caddyfile")!.content;
    expect(caddyfile).toContain("\n:80 {\n");
    expect(caddyfile).not.toContain("email");
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "caddy-"));
    fs.writeFileSync(path.join(home, "Caddyfile"), caddyfile);
    const run = tool("caddy", "caddy", ["validate", "--config", path.join(home, "Caddyfile"), "--adapter", "caddyfile"], home, { HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home });
    expect({ status: run.status, output: run.status === 0 ? "" : run.output }).toEqual({ status: 0, output: "" });
  });

  test("prune timer: daily, unused images older than imageRetentionHours", () => {
    expect(fs.readFileSync(path.join(ansible, "files/shop-image-prune.service"), "utf8")).toContain("ExecStart=/usr/bin/docker image prune --all --force --filter until=168h\n");
    expect(releaseFiles(config, "production").find((f) => f.path === "ansible/files/shop-image-prune.service")!.content).toContain("until=336h");
    expect(fs.readFileSync(path.join(ansible, "files/shop-image-prune.timer"), "utf8")).toMatch(/OnCalendar=daily\n[\s\S]*Persistent=true\n/);
  });

  test("the env-sync helper is the fleet's, reading this environment's path, and lints clean", () => {
    const helper = fs.readFileSync(path.join(ansible, "files/shop-env-sync"), "utf8");
    expect(helper).toContain('readonly PARAMETER_PATH="/shop/staging/env/"');
    expect(helper).toContain('readonly ENV_FILE="/etc/shop/app.env"');
    expect(lintShell(helper, "shop-env-sync")).toEqual([]);
  });

  test("ansible-playbook --syntax-check and ansible-lint (production profile) pass", () => {
    fs.writeFileSync(path.join(ansible, "inventory.ini"), inventory("staging"));
    const syntax = tool("ansible-core", "ansible-playbook", ["--syntax-check", "-i", "inventory.ini", "playbook.yml"], ansible);
    expect({ status: syntax.status, output: syntax.status === 0 ? "" : syntax.output }).toEqual({ status: 0, output: "" });
    // Offline: no collection or role to install; the inventory is not a playbook.
    fs.writeFileSync(path.join(ansible, ".ansible-lint"), "profile: production\noffline: true\nexclude_paths: [inventory.ini, .ansible-tmp]\n");
    const lint = tool("ansible-lint", "ansible-lint", ["--nocolor", "playbook.yml"], ansible, { HOME: dir });
    expect({ status: lint.status, output: lint.status === 0 ? "" : lint.output }).toEqual({ status: 0, output: "" });
  });
});

describe("host.ansible configuration", () => {
  const raw = () => YAML.parse(fs.readFileSync(path.join(root, "config", "examples", "hosts.yaml"), "utf8"));
  const problems = (mutate: (c: any) => void): string => {
    const c = raw();
    mutate(c);
    try {
      parseConfig(c);
      return "";
    } catch (e) {
      return String((e as Error).message);
    }
  };

  test("off by default: no ansible/ directory", () => {
    const c = raw();
    delete c.environments.staging.host.ansible;
    expect(releaseFiles(parseConfig(c), "staging").some((f) => f.path.startsWith("ansible/"))).toBe(false);
  });

  test("with a host name, publicPorts must keep 80 and 443 (ACME challenges, redirect)", () => {
    expect(problems((c) => (c.environments.staging.host.publicPorts = [443]))).toMatch(/environments\.staging\.host\.publicPorts.*\[443\].*a list with 80 and 443 while host\.ansible\.enabled/s);
    expect(problems((c) => ((c.environments.staging.host.publicPorts = [443]), (c.environments.staging.host.ansible.enabled = false)))).toBe("");
  });

  test("the application port may not be one Caddy takes", () => {
    expect(problems((c) => (c.environments.staging.application = { port: 443 }))).toMatch(/environments\.staging\.application\.port.*443.*other than 80, 443 and 2019/s);
  });

  test("acmeEmail must be an e-mail address; imageRetentionHours between 24 and 8760", () => {
    expect(problems((c) => (c.environments.staging.host.ansible.acmeEmail = "ops"))).toMatch(/environments\.staging\.host\.ansible\.acmeEmail.*"ops".*e-mail address/s);
    expect(problems((c) => (c.environments.staging.host.ansible.imageRetentionHours = 1))).toMatch(/environments\.staging\.host\.ansible\.imageRetentionHours.*1.*24/s);
  });
});
