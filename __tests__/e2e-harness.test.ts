// The emulator tier's own rules (scripts/e2e.mjs): a missing emulator fails and says how to install
// it, never a silent skip; every case file's problems are reported at once, before any emulator
// starts. The tier itself runs as its own part of npm test (npm run test:e2e).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..");
const script = path.join(root, "scripts", "e2e.mjs");

function e2e(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [script, ...args], { cwd: root, env, encoding: "utf8", timeout: 150_000 });
}

test("without moto_server (on PATH or under pyenv) the tier fails, naming it and how to install it", () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-home-"));
  const env = { ...process.env, HOME: home, PYENV_ROOT: path.join(home, ".pyenv"), PATH: ["/usr/local/bin", "/usr/bin", "/bin", path.dirname(process.execPath)].join(":") };
  const r = e2e(["--case", "default"], env);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`moto_server (moto 5.2.1) is not on PATH nor under ${home}/.pyenv/versions`);
  expect(r.stderr).toContain("pip install 'moto[server]==5.2.1'");
});

test("every problem of a case file is reported at once, each naming the change, before any emulator starts", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-cases-"));
  fs.writeFileSync(
    path.join(dir, "broken.yaml"),
    [
      "config: config/default.yaml",
      "changes:",
      "  - delete: environments.nosuch",
      "    reason: an environment the configuration does not have",
      "  - set: environments.*.goldenAmi",
      "    value: { enabled: false }",
      "  - set: defaults.loadBalancer.hostedZoneId",
      "    value: ${fixture.zone}",
      "    reason: a fixture the case does not declare",
      "  - set: defaults.fleet.minSize",
      "    reason: no value",
      "releases: twice",
      "knownLeftovers:",
      "  - issue: 15",
      "skipEnvironments:",
      "  - environment: qa",
      "    sameAs: staging",
      "    reason: the default configuration has no qa",
      "  - environment: staging",
      "    sameAs: staging",
      "  - environment: production",
      "    sameAs: staging",
      "    reason: the twin is skipped too",
    ].join("\n"),
  );
  const t0 = Date.now();
  const r = e2e(["--case", "broken"], { ...process.env, E2E_CASES_DIR: dir });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("11 problem(s) in __tests__/e2e/cases/");
  expect(r.stderr).toContain('cases/broken.yaml skipEnvironments[0] environment: received "qa"; allowed: an environment of config/default.yaml (staging, production)');
  expect(r.stderr).toContain('cases/broken.yaml skipEnvironments[1] sameAs: received "staging"; allowed: another environment of config/default.yaml that the case applies');
  expect(r.stderr).toContain("cases/broken.yaml skipEnvironments[1] reason: received undefined; allowed: a sentence saying why applying it again proves nothing its twin does not");
  expect(r.stderr).toContain('cases/broken.yaml skipEnvironments[2] sameAs: received "staging", which the case skips too; allowed: an environment the case applies');
  expect(r.stderr).toContain("cases/broken.yaml changes[0]: delete environments.nosuch matches nothing");
  expect(r.stderr).toContain("cases/broken.yaml changes[1] (environments.*.goldenAmi): received no reason");
  expect(r.stderr).toContain("cases/broken.yaml changes[2]: uses ${fixture.zone}; allowed: a fixture the case declares (none)");
  expect(r.stderr).toContain("cases/broken.yaml changes[3] (set defaults.fleet.minSize): received no value");
  expect(r.stderr).toContain("cases/broken.yaml knownLeftovers[0]: received {\"issue\":15}; allowed: issue, pattern and reason");
  expect(r.stderr).toContain('cases/broken.yaml releases: received "twice"; allowed: "full" (two releases with a fleet settings change between them) or "once" (the default)');
  // Nothing was started: no emulator, no case directory.
  expect(fs.existsSync(path.join(root, ".test-out", "e2e", "broken"))).toBe(false);
  expect(Date.now() - t0).toBeLessThan(30_000);
});

test("every configuration has a case: an example without one fails the tier", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-cases-"));
  fs.writeFileSync(path.join(dir, "default.yaml"), "config: config/default.yaml\n");
  const r = e2e([], { ...process.env, E2E_CASES_DIR: dir });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/config\/examples\/ecs\.yaml.* has no case in __tests__\/e2e\/cases\/: every configuration runs in the emulator tier/);
});

test("a skipped environment must synthesize exactly its twin's resources: once they differ, the case fails before anything is applied", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-cases-"));
  // The hosts example's production has a key pair, DNS and alarms its staging lacks.
  fs.writeFileSync(path.join(dir, "skip.yaml"), ["config: config/examples/hosts.yaml", "skipEnvironments:", "  - environment: staging", "    sameAs: production", "    reason: claimed to be the same"].join("\n"));
  const r = e2e(["--case", "skip"], { ...process.env, E2E_CASES_DIR: dir });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/--- skip: synth failed ---\ncases\/skip\.yaml skipEnvironments: staging no longer has the same resources as production \(only in staging: [^;]*aws_key_pair\.host_key_pair[^;]*; only in production: [^)]*aws_nat_gateway\.network_nat_0/);
  expect(r.stderr).toContain("it must be applied: remove the skip");
  // Nothing was applied: the failure came before the first terraform command.
  expect(fs.readFileSync(path.join(root, ".test-out", "e2e", "skip", "e2e.log"), "utf8")).not.toContain("$ terraform");
  fs.rmSync(path.join(root, ".test-out", "e2e", "skip"), { recursive: true, force: true });
});
