#!/usr/bin/env node
// The emulator tier: every configuration (the default and every example, adapted for what moto
// lacks by __tests__/e2e/cases/) is applied to an AWS API emulator (moto), planned again (no
// changes allowed), released twice the way CodeDeploy releases a blue/green fleet, and destroyed;
// nothing of it may be left in the emulator afterwards.
//
// Each case gets its own moto server (127.0.0.1, a free port, stopped by PID), so cases run side by
// side and the leftover check sees only its own case. Terraform reaches moto through AWS_ENDPOINT_URL
// and dummy credentials: the synthesized cdk.tf.json stays byte-identical to what users get. One
// case goes through the CLI users run (`cdktf deploy`, `cdktf destroy`); the default case also ejects
// a stack as JSON and as HCL (`npm run eject`) and plans both against the state of its JSON output.
//
// Usage: node scripts/e2e.mjs [--case NAME]... [--jobs N] [--keep]
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** A step's failure, with the output that explains it (not a stack trace). */
class StepError extends Error {}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const YAML = require("yaml");
const e2eDir = path.join(root, "__tests__", "e2e");
const outRoot = path.join(root, ".test-out", "e2e");
const MIRROR = "/opt/tf-plugins/registry.terraform.io/hashicorp/aws";
const MOTO_VERSION = "5.2.1";
const INSTALL_HINT = `install it with: pip install 'moto[server]==${MOTO_VERSION}' (moto's standalone server; the tier starts it itself)`;

const { values: args } = parseArgs({
  options: { jobs: { type: "string" }, case: { type: "string", multiple: true }, keep: { type: "boolean" } },
});
// Applying to moto is mostly waiting on the provider's waiters, not CPU: more jobs than cores pay off,
// and by default every case runs at once (about 1 GB each: a moto server and a provider per stack).
const jobsOption = args.jobs ?? process.env.E2E_JOBS;

const terraformEnv = {
  ...process.env,
  TF_CLI_CONFIG_FILE: path.join(root, "terraform.tfrc"),
  TF_IN_AUTOMATION: "1",
  CHECKPOINT_DISABLE: "1",
  AWS_ACCESS_KEY_ID: "e2e-access-key",
  AWS_SECRET_ACCESS_KEY: "e2e-secret-key",
  // moto answers at once and never throttles: retries only hide a missing action (HTTP 500) for minutes.
  AWS_MAX_ATTEMPTS: "2",
};
delete terraformEnv.TF_PLUGIN_CACHE_DIR;
delete terraformEnv.AWS_PROFILE;
delete terraformEnv.AWS_SESSION_TOKEN;

let python;
let synthesize;
let ejectStack;
const motoServers = new Set();

/** Terraform, the provider mirror and moto: missing tools fail the tier, they never skip it. */
function preflight() {
  const version = spawnSync("terraform", ["version", "-json"], { encoding: "utf8" });
  if (version.error || version.status !== 0) fail("terraform is not on PATH. The emulator tier needs Terraform 1.11 (expected at /usr/local/bin/terraform); it does not skip.");
  if (!fs.existsSync(MIRROR)) fail(`The AWS provider mirror ${MIRROR} is missing (hashicorp/aws 5.100.0, offline); the emulator tier does not skip.`);
  if (!fs.existsSync(path.join(root, "dist", "lib", "synth", "synth.js"))) fail("dist/ is missing: run node scripts/build.mjs first (npm test does).");
  // moto_server is a console script; the Python that runs it has moto, boto3 and our patches' imports.
  // On these machines it lives under pyenv's Python 3.11: found through PATH (pyenv's shim resolved to
  // its script), else in pyenv's own directories, for a shell whose PATH lacks the shims.
  const which = spawnSync("bash", ["-c", 'if command -v pyenv >/dev/null && [ -n "$(pyenv which moto_server 2>/dev/null)" ]; then pyenv which moto_server; else command -v moto_server; fi'], { encoding: "utf8" });
  const pyenvRoot = process.env.PYENV_ROOT ?? path.join(os.homedir(), ".pyenv");
  const installed = fs.existsSync(path.join(pyenvRoot, "versions"))
    ? fs.readdirSync(path.join(pyenvRoot, "versions")).sort().reverse().map((v) => path.join(pyenvRoot, "versions", v, "bin", "moto_server")).filter((f) => fs.existsSync(f))
    : [];
  const resolved = (which.status === 0 && which.stdout.trim()) || installed[0];
  if (!resolved) fail(`moto_server (moto ${MOTO_VERSION}) is not on PATH nor under ${pyenvRoot}/versions: the emulator tier needs it; ${INSTALL_HINT}.`);
  const shebang = /^#!\s*(\S+)/.exec(fs.readFileSync(resolved, "utf8").split("\n")[0] ?? "");
  const interpreter = shebang && !shebang[1].endsWith("/env") ? shebang[1] : "python3";
  const probe = spawnSync(interpreter, ["-c", "import moto, boto3; print(moto.__version__)"], { encoding: "utf8" });
  if (probe.status !== 0) fail(`moto_server at ${resolved} runs ${interpreter}, which cannot import moto and boto3: ${probe.stderr.trim()}; ${INSTALL_HINT}.`);
  if (probe.stdout.trim() !== MOTO_VERSION) fail(`moto ${probe.stdout.trim()} found at ${resolved}; the tier and its patches (__tests__/e2e/moto_patches) are for moto ${MOTO_VERSION}: ${INSTALL_HINT}.`);
  return interpreter;
}

function checkEveryExampleHasACase(spec) {
  const configs = new Set(Object.values(spec.cases).map((c) => path.normalize(c.config)));
  const missing = ["config/default.yaml", ...fs.readdirSync(path.join(root, "config", "examples")).filter((f) => /\.(ya?ml|json)$/.test(f)).map((f) => `config/examples/${f}`)].filter(
    (f) => !configs.has(path.normalize(f)),
  );
  if (missing.length) fail(`${missing.join(", ")} has no case in __tests__/e2e/cases/: every configuration runs in the emulator tier.`);
}

async function runCase(c) {
  const dir = path.join(outRoot, c.name);
  fs.mkdirSync(dir, { recursive: true });
  const log = [];
  const result = { name: c.name, ok: false, step: "start", output: "", stacks: 0, releases: 0, times: {}, notes: [] };
  const timed = async (step, fn) => {
    result.step = step;
    const t0 = Date.now();
    try {
      return await fn();
    } finally {
      result.times[step.split(" ")[0]] = (result.times[step.split(" ")[0]] ?? 0) + (Date.now() - t0) / 1000;
    }
  };
  let moto;
  try {
    const config = YAML.parse(fs.readFileSync(path.join(root, c.config), "utf8"));
    moto = await timed("moto", () => startMoto(dir, c.accountId ?? firstAccountId(config)));
    const env = { ...terraformEnv, AWS_ENDPOINT_URL: moto.url };
    const fixtures = c.fixtures ? JSON.parse(await timed("moto", () => python3(env, ["fixtures", JSON.stringify(c.fixtures)]))) : {};
    const { config: adapted } = adapt(config, c.changes ?? [], fixtures, c.name);
    const configFile = path.join(dir, "config.yaml");
    fs.writeFileSync(configFile, YAML.stringify(adapted));
    const regions = [...new Set([config.app?.region ?? "eu-west-1", "us-east-1"])];
    // The baseline listing is also the warm-up: it touches every service the inventory knows, so
    // what moto creates on a service's first use (a default VPC and its security group, say) is in
    // the baseline, not a leftover.
    const baseline = await timed("moto", () => inventory(env, regions));

    // An environment the case skips is synthesized (its twin's addresses are checked against it
    // below) but never applied.
    const skipped = new Map((c.skipEnvironments ?? []).map((k) => [`${adapted.app.name}-${k.environment}`, k]));
    if (c.cli && skipped.size) c.stackNames = Object.keys(adapted.environments).map((e) => `${adapted.app.name}-${e}`).filter((n) => !skipped.has(n));
    if (c.cli) {
      await timed("cdktf deploy", () => cdktf(c, dir, configFile, env, "deploy", log));
    }
    const synth = await timed("synth", () =>
      synthesize({ configFile, outdir: path.join(dir, c.cli ? "cli" : "", c.cli ? "cdktf.out" : "out"), format: c.format ?? "json", atomic: false, generatedDir: path.join(dir, "generated") }),
    );
    for (const [name, k] of skipped) {
      const addresses = (n) => new Set(synth.stacks.find((st) => st.name === n)?.addresses ?? []);
      const [mine, twin] = [addresses(name), addresses(`${adapted.app.name}-${k.sameAs}`)];
      const onlyMine = [...mine].filter((a) => !twin.has(a));
      const onlyTwin = [...twin].filter((a) => !mine.has(a));
      if (onlyMine.length || onlyTwin.length) {
        throw new StepError(
          `cases/${c.name}.yaml skipEnvironments: ${k.environment} no longer has the same resources as ${k.sameAs} (only in ${k.environment}: ${onlyMine.join(", ") || "none"}; only in ${k.sameAs}: ${onlyTwin.join(", ") || "none"}); it must be applied: remove the skip`,
        );
      }
      result.notes.push(`skipped ${k.environment}: the same ${mine.size} resources as ${k.sameAs}, which runs (${k.reason})`);
    }
    const stacks = synth.stacks.filter((st) => !skipped.has(st.name)).map((st) => st.directory);
    result.stacks = stacks.length;
    // Issue 15's proof: after the first release the fleet settings change in the configuration
    // (sizes and instance type of every blue/green environment), and the live group must follow.
    // The whole release protocol (two releases with a settings change between them) runs where the
    // case asks for it (`releases: full`, the default configuration); every other case releases each
    // blue/green fleet once: the same mechanism on its variant, at a third of the cost.
    const fullProtocol = c.releases === "full";
    const settings = c.cli || !fullProtocol ? undefined : fleetSettingsChange(synth.config, adapted);
    let changedOut;
    if (settings) {
      const changedFile = path.join(dir, "config.changed.yaml");
      fs.writeFileSync(changedFile, YAML.stringify(settings.config));
      changedOut = path.join(dir, "changed-out");
      await timed("synth", () => synthesize({ configFile: changedFile, outdir: changedOut, format: c.format ?? "json", atomic: false, generatedDir: path.join(dir, "changed-generated") }));
    }
    // Issue 16 item 3: an in-place fleet with fleet.instanceRefresh gets a launch template change
    // (another instance size) after its first apply; the apply must start an instance refresh with
    // the configured preferences and alarms (moto_patches/autoscaling_instance_refresh.py refuses
    // what AWS refuses), and the plan after it must be empty.
    const refreshChange = c.cli ? undefined : templateChange(synth.config, adapted);
    let refreshOut;
    if (refreshChange) {
      const changedFile = path.join(dir, "config.refresh.yaml");
      fs.writeFileSync(changedFile, YAML.stringify(refreshChange.config));
      refreshOut = path.join(dir, "refresh-out");
      await timed("synth", () => synthesize({ configFile: changedFile, outdir: refreshOut, format: c.format ?? "json", atomic: false, generatedDir: path.join(dir, "refresh-generated") }));
    }
    const checkFleet = async (group, expected, when) => {
      const live = JSON.parse(await python3(env, ["check-fleet", group.region, group.app, group.name, JSON.stringify(expected)]).catch((e) => {
        throw new StepError(`${when}: ${e.message}`);
      }));
      log.push(`live group ${when}: ${JSON.stringify(live)}`);
    };
    const up = async (stack) => {
      const label = path.basename(stack);
      await timed(`init ${label}`, () => terraform(env, stack, ["init", "-input=false", "-no-color"], log));
      if (!c.cli) await timed(`apply ${label}`, () => terraform(env, stack, ["apply", "-auto-approve", "-input=false", "-no-color"], log));
      await timed(`plan ${label}`, () => planEmpty(env, stack, log, "after the first apply"));
      // One stack is enough to prove the HCL output equals the JSON output: the last, the largest
      // (production, with protection) of the default configuration.
      if (c.eject && stack === stacks[stacks.length - 1]) await timed(`eject ${label}`, () => eject(c, dir, configFile, stack, env, log));
      const refresh = refreshChange?.stacks.get(label);
      if (refresh) {
        await timed(`refresh ${label}`, async () => {
          fs.cpSync(path.join(refreshOut, "stacks", label), stack, { recursive: true, filter: (src) => !src.includes(`${path.sep}.terraform`) });
          await terraform(env, stack, ["apply", "-auto-approve", "-input=false", "-no-color"], log);
          const started = JSON.parse(await python3(env, ["check-refresh", refresh.region, refresh.group, JSON.stringify(refresh.expected)]));
          log.push(`instance refresh after ${refresh.change}: ${JSON.stringify(started)}`);
          await planEmpty(env, stack, log, "after the template change and its instance refresh");
        });
      }
      const groups = await blueGreenGroups(env, stack);
      const change = settings?.stacks.get(label);
      const release = (group, n, expected) =>
        timed(`release ${label} #${n}`, async () => {
          const released = JSON.parse(await python3(env, ["release", group.region, group.app, group.name]));
          log.push(`release #${n} of ${group.app}/${group.name}: ${released.original} -> ${released.copy}; reconciled ${JSON.stringify(released.reconciled)}${released.waited ? `; waited before traffic moved ${JSON.stringify(released.waited)}` : ""}`);
          result.releases++;
          // The reconciler ran on the success event: nothing is left for Terraform to do.
          await planEmpty(env, stack, log, `after release #${n}`);
          await checkFleet(group, expected, `after release #${n}`);
        });
      for (const group of groups) await release(group, 1, expectedFleet(synth.config, group));
      // ECS services with CodeDeploy blue/green: two releases each (the second swaps the pair back;
      // task sets, listener rules and the test listener as CodeDeploy leaves them), and after each
      // nothing for Terraform to do.
      for (const group of await ecsBlueGreenGroups(env, stack)) {
        for (const n of [1, 2]) {
          await timed(`release ${label} ecs #${n}`, async () => {
            const released = JSON.parse(await python3(env, ["release-ecs", group.region, group.app, group.name]));
            log.push(`ECS blue/green release #${n} of ${group.app}/${group.name}: ${JSON.stringify(released)}`);
            result.releases++;
            await planEmpty(env, stack, log, `after ECS blue/green release #${n} of ${group.name}`);
          });
        }
      }
      if (change && groups.length) {
        await timed(`settings ${label}`, async () => {
          fs.cpSync(path.join(changedOut, "stacks", label), stack, { recursive: true, filter: (src) => !src.includes(`${path.sep}.terraform`) });
          await terraform(env, stack, ["apply", "-auto-approve", "-input=false", "-no-color"], log);
          for (const group of groups) await checkFleet(group, expectedFleet(settings.parsed, group), `after changing ${change} and applying`);
          await planEmpty(env, stack, log, "after the settings change");
        });
      }
      if (fullProtocol) for (const group of groups) await release(group, 2, expectedFleet(change ? settings.parsed : synth.config, group));
    };
    // A shared load balancer stack goes up before its environments and down after them; the
    // environments of one configuration are independent of each other and run side by side.
    const layers = adapted.sharedLoadBalancer ? [stacks.slice(0, 1), stacks.slice(1)] : [stacks];
    for (const layer of layers) await all(layer.map(up));
    // A protected environment (protection: true, the default) refuses `terraform destroy` by design:
    // deletion protection on its load balancer and database, no force_destroy on its buckets. It is
    // decommissioned as its owner would: protection: false, applied (which must replace nothing), then
    // destroyed.
    // The same holds for a shared load balancer (sharedLoadBalancer.protection, default true).
    const protectedEnvs = Object.entries(adapted.environments ?? {}).filter(([n, e]) => !skipped.has(`${adapted.app.name}-${n}`) && (e?.protection ?? adapted.defaults?.protection ?? true) !== false);
    const protectedShared = adapted.sharedLoadBalancer && adapted.sharedLoadBalancer.protection !== false;
    let destroyConfig = configFile;
    const decommissioned = new Set();
    if (settings && !(protectedEnvs.length || protectedShared)) {
      // Destroy with the configuration last applied.
      destroyConfig = path.join(dir, "config.changed.yaml");
    }
    if (protectedEnvs.length || protectedShared) {
      destroyConfig = path.join(dir, "config.decommission.yaml");
      const decommission = structuredClone(settings?.config ?? adapted);
      for (const [name] of protectedEnvs) decommission.environments[name].protection = false;
      if (protectedShared) decommission.sharedLoadBalancer.protection = false;
      fs.writeFileSync(destroyConfig, YAML.stringify(decommission));
      result.notes.push(`decommissioned ${[...protectedEnvs.map(([n]) => n), ...(protectedShared ? ["the shared load balancer"] : [])].join(", ")} (protection: false) before destroy`);
      await timed("decommission", async () => {
        await synthesize({ configFile: destroyConfig, outdir: synth.outdir, format: c.format ?? "json", atomic: false, generatedDir: path.join(dir, "generated") });
        for (const layer of layers) {
          await all(
            layer.map(async (stack) => {
              await terraform(env, stack, ["init", "-input=false", "-no-color"], log);
              // One command (each costs about 5 CPU-seconds of provider schema before any work): the
              // apply's machine-readable plan says what it changed; anything deleted or replaced fails.
              const { output } = await terraform(env, stack, ["apply", "-auto-approve", "-input=false", "-json"], log);
              const replaced = plannedChanges(output).filter((ch) => ["delete", "replace", "remove"].includes(ch.action));
              if (replaced.length) throw new StepError(`turning protection off in ${path.basename(stack)} destroyed or replaced:\n${replaced.map((ch) => `  ${ch.action} ${ch.address}`).join("\n")}`);
              decommissioned.add(stack);
            }),
          );
        }
      });
    }
    if (c.cli) {
      await timed("cdktf destroy", () => cdktf(c, dir, destroyConfig, env, "destroy", log));
    } else {
      // A decommissioned stack's state was refreshed and saved by that apply a moment ago: its
      // destroy needs no second refresh. Others may have changed outside Terraform (releases).
      for (const layer of [...layers].reverse()) {
        await all(
          layer.map((stack) =>
            timed(`destroy ${path.basename(stack)}`, () => terraform(env, stack, ["destroy", "-auto-approve", "-input=false", "-no-color", ...(decommissioned.has(stack) ? ["-refresh=false"] : [])], log)),
          ),
        );
      }
    }
    await timed("leftovers", async () => {
      const left = leftovers(baseline, await inventory(env, regions));
      // A known defect excuses only what its pattern names, and only while it still reproduces.
      const known = (c.knownLeftovers ?? []).map((k) => ({ ...k, regex: new RegExp(k.pattern), hits: [] }));
      const unexplained = left.filter((l) => {
        const k = known.find((k) => k.regex.test(l));
        k?.hits.push(l);
        return !k;
      });
      if (unexplained.length) throw new StepError(`${unexplained.length} resource(s) of the environment are left in the emulator after destroy:\n${unexplained.map((l) => `  ${l}`).join("\n")}`);
      const gone = known.filter((k) => k.hits.length === 0);
      if (gone.length) throw new StepError(`known defect(s) no longer reproduce; remove them from cases/${c.name}.yaml: ${gone.map((k) => `issue ${k.issue}: ${k.pattern}`).join("; ")}`);
      for (const k of known) result.notes.push(`known defect (issue ${k.issue}) left ${k.hits.length}: ${k.hits.join(", ")}`);
    });
    result.ok = true;
    result.step = "done";
  } catch (e) {
    result.output = e instanceof StepError ? e.message : String(e?.stack ?? e);
  } finally {
    if (moto) stopMoto(moto);
    fs.writeFileSync(path.join(dir, "e2e.log"), log.join("\n"));
    if (result.ok && !args.keep) {
      for (const entry of fs.readdirSync(dir)) if (entry !== "e2e.log") fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    }
  }
  return result;
}


function firstAccountId(config) {
  const ids = Object.values(config.environments ?? {}).map((e) => e?.accountId ?? config.defaults?.accountId).filter(Boolean);
  return ids[0];
}

/**
 * Applies a case's changes to its configuration: `set` (creating missing parents) or `delete` a
 * dotted path; `*` stands for every key at that level. A change that matches nothing is an error,
 * so an adaptation cannot outlive the configuration it adapts. `${fixture.x}` in values is replaced
 * by what the fixtures step created in the emulator.
 */
function adapt(config, changes, fixtures, caseName) {
  const out = structuredClone(config);
  const problems = [];
  for (const [i, change] of changes.entries()) {
    const pathText = change.set ?? change.delete;
    const where = `cases/${caseName}.yaml changes[${i}]`;
    if ((change.set === undefined) === (change.delete === undefined)) {
      problems.push(`${where}: received ${JSON.stringify(change)}; allowed: exactly one of set (with value) or delete`);
      continue;
    }
    if (typeof change.reason !== "string" || change.reason.trim() === "") problems.push(`${where} (${pathText}): received no reason; allowed: a sentence saying what moto lacks`);
    if (change.set !== undefined && !("value" in change)) problems.push(`${where} (set ${pathText}): received no value; allowed: the value to set`);
    const parts = String(pathText).split(".");
    let matched = 0;
    const visit = (node, depth) => {
      const key = parts[depth];
      const keys = key === "*" ? Object.keys(node ?? {}) : [key];
      for (const k of keys) {
        if (depth === parts.length - 1) {
          if (change.delete !== undefined) {
            if (node && k in node) {
              delete node[k];
              matched++;
            }
          } else {
            node[k] = substitute(structuredClone(change.value), fixtures, where, problems);
            matched++;
          }
        } else {
          if (key !== "*" && (node[k] === undefined || node[k] === null) && change.set !== undefined) node[k] = {};
          if (node[k] && typeof node[k] === "object") visit(node[k], depth + 1);
        }
      }
    };
    visit(out, 0);
    if (matched === 0) problems.push(`${where}: ${change.set !== undefined ? "set" : "delete"} ${pathText} matches nothing in ${config.app?.name ? `${config.app.name}'s` : "the"} configuration; allowed: a path that exists (a change must not outlive its reason)`);
  }
  return { config: out, problems };
}

function substitute(value, fixtures, where, problems) {
  if (typeof value === "string") {
    return value.replace(/\$\{fixture\.([\w-]+)\}/g, (m, name) => {
      if (name in fixtures) return fixtures[name];
      problems.push(`${where}: uses ${m}; allowed: a fixture the case declares (${Object.keys(fixtures).join(", ") || "none"})`);
      return m;
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, fixtures, where, problems));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, fixtures, where, problems)]));
  return value;
}

/** Every problem of every selected case, before any emulator starts: all at once, each naming its file. */
function checkCases(cases) {
  const problems = [];
  for (const c of cases) {
    if (typeof c.config !== "string" || !fs.existsSync(path.join(root, c.config))) {
      problems.push(`cases/${c.name}.yaml config: received ${JSON.stringify(c.config)}; allowed: a configuration file, from the repository root`);
      continue;
    }
    const config = YAML.parse(fs.readFileSync(path.join(root, c.config), "utf8"));
    const placeholders = Object.fromEntries(Object.keys(c.fixtures ?? {}).map((name) => [name, `fixture-${name}`]));
    problems.push(...adapt(config, c.changes ?? [], placeholders, c.name).problems);
    if (c.releases !== undefined && c.releases !== "full" && c.releases !== "once") problems.push(`cases/${c.name}.yaml releases: received ${JSON.stringify(c.releases)}; allowed: "full" (two releases with a fleet settings change between them) or "once" (the default)`);
    const environments = Object.keys(config.environments ?? {});
    for (const [i, k] of (c.skipEnvironments ?? []).entries()) {
      const where = `cases/${c.name}.yaml skipEnvironments[${i}]`;
      if (!environments.includes(k?.environment)) problems.push(`${where} environment: received ${JSON.stringify(k?.environment)}; allowed: an environment of ${c.config} (${environments.join(", ")})`);
      if (!environments.includes(k?.sameAs) || k?.sameAs === k?.environment) problems.push(`${where} sameAs: received ${JSON.stringify(k?.sameAs)}; allowed: another environment of ${c.config} that the case applies`);
      else if ((c.skipEnvironments ?? []).some((o) => o?.environment === k.sameAs)) problems.push(`${where} sameAs: received ${JSON.stringify(k.sameAs)}, which the case skips too; allowed: an environment the case applies`);
      if (typeof k?.reason !== "string" || k.reason.trim() === "") problems.push(`${where} reason: received ${JSON.stringify(k?.reason)}; allowed: a sentence saying why applying it again proves nothing its twin does not`);
    }
    for (const [i, k] of (c.knownLeftovers ?? []).entries()) {
      if (!k.issue || !k.pattern || !k.reason) problems.push(`cases/${c.name}.yaml knownLeftovers[${i}]: received ${JSON.stringify(k)}; allowed: issue, pattern and reason`);
    }
  }
  if (problems.length) fail(`${problems.length} problem(s) in __tests__/e2e/cases/:\n${problems.map((p) => `  ${p}`).join("\n")}`);
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startMoto(dir, accountId) {
  const port = await freePort();
  const logFile = fs.openSync(path.join(dir, "moto.log"), "w");
  const env = { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true" };
  // The configuration's account (provider allowed_account_ids), instead of moto's 123456789012.
  if (accountId) env.MOTO_ACCOUNT_ID = String(accountId);
  const child = spawn(python, [path.join(e2eDir, "moto_server.py"), "-H", "127.0.0.1", "-p", String(port)], { env, stdio: ["ignore", logFile, logFile] });
  fs.closeSync(logFile);
  const moto = { child, pid: child.pid, url: `http://127.0.0.1:${port}`, exited: false };
  child.on("exit", () => (moto.exited = true));
  motoServers.add(moto);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (moto.exited) throw new StepError(`moto_server exited at start:\n${fs.readFileSync(path.join(dir, "moto.log"), "utf8").slice(-3000)}`);
    try {
      const res = await fetch(`${moto.url}/moto-api/reset-auth`, { method: "GET" }).catch(() => null);
      if (res) return moto;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new StepError(`moto_server did not answer on ${moto.url} within 60 s`);
}

function stopMoto(moto) {
  if (!moto.exited) {
    try {
      process.kill(moto.pid, "SIGTERM");
    } catch {
      /* gone */
    }
  }
  motoServers.delete(moto);
}

function stopAll() {
  for (const moto of [...motoServers]) stopMoto(moto);
}

/** Every resource an environment can own, listed through the AWS APIs (aws.py inventory): the baseline and the leftover check compare these. */
async function inventory(env, regions) {
  return new Set(JSON.parse(await python3(env, ["inventory", ...regions])));
}

function leftovers(before, after) {
  return [...after].filter((k) => !before.has(k)).sort();
}

function run(cmd, argv, cwd, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd, env });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code, output }));
  });
}

async function terraform(env, dir, argv, log, okCodes = [0]) {
  const { code, output } = await run("terraform", argv, dir, env);
  log.push(`$ terraform ${argv.join(" ")}  (${path.basename(dir)}) -> ${code}\n${output}`);
  if (!okCodes.includes(code)) throw new StepError(`terraform ${argv[0]} in ${path.relative(root, dir)} exited ${code}:\n${tail(argv.includes("-json") ? readableJson(output) : output)}`);
  return { code, output };
}

async function python3(env, argv) {
  const { code, output } = await run(python, [path.join(e2eDir, "aws.py"), ...argv], root, env);
  if (code !== 0) throw new StepError(`aws.py ${argv[0]} failed:\n${tail(output)}`);
  return output;
}

/** A perpetual diff is a defect: the plan right after an apply must have nothing to do. */
async function planEmpty(env, dir, log, when) {
  const { code, output } = await terraform(env, dir, ["plan", "-detailed-exitcode", "-input=false", "-no-color", "-out=e2e.tfplan"], log, [0, 2]);
  if (code === 2) {
    const changes = await planChanges(env, dir);
    throw new StepError(`terraform plan ${when} in ${path.basename(dir)} is not empty (a perpetual diff):\n${changes.map(describeChange).join("\n")}\n\n${tail(output, 6000)}`);
  }
}

async function planChanges(env, dir) {
  const { code, output } = await run("terraform", ["show", "-json", "e2e.tfplan"], dir, env);
  if (code !== 0) throw new StepError(`terraform show -json e2e.tfplan failed:\n${tail(output)}`);
  return (JSON.parse(output).resource_changes ?? []).filter((c) => !c.change.actions.every((a) => a === "no-op" || a === "read"));
}

/** The diagnostics of a `-json` run as Terraform would print them, for a failure's message. */
function readableJson(output) {
  const lines = [];
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) continue;
    const message = JSON.parse(line);
    if (message.type === "diagnostic") lines.push(`${message.diagnostic.severity}: ${message.diagnostic.summary}${message.diagnostic.address ? ` (${message.diagnostic.address})` : ""}\n${message.diagnostic.detail ?? ""}`);
  }
  return lines.join("\n\n") || output;
}

/** Resource changes of a `-json` plan or apply: its planned_change messages. */
function plannedChanges(output) {
  const changes = [];
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) continue;
    const message = JSON.parse(line);
    if (message.type === "planned_change") changes.push({ action: message.change.action, address: message.change.resource.addr });
  }
  return changes;
}

function describeChange(c) {
  const changed =
    c.change.actions.includes("update") && c.change.before && c.change.after
      ? ` (${Object.keys(c.change.after)
          .filter((k) => JSON.stringify(c.change.before[k]) !== JSON.stringify(c.change.after[k]))
          .join(", ")})`
      : "";
  return `  ${c.change.actions.join("+")} ${c.address}${changed}`;
}

/**
 * The configuration with every blue/green environment's fleet changed (sizes up, another instance
 * size), its parsed form, and which stacks it changes: what a team does after releases.
 */
function fleetSettingsChange(parsed, adapted) {
  const config = structuredClone(adapted);
  const stacks = new Map();
  for (const [name, env] of Object.entries(parsed.environments)) {
    // Fleets only: ECS services and plain hosts are never copied by CodeDeploy.
    if (env.platform !== "fleet" || env.deployment?.mode !== "blue-green") continue;
    const [family, size] = env.fleet.instanceType.split(".");
    const fleet = { minSize: env.fleet.minSize + 1, maxSize: env.fleet.maxSize + 2, instanceType: `${family}.${size === "large" ? "xlarge" : "large"}` };
    config.environments[name] = { ...config.environments[name], fleet: { ...config.environments[name]?.fleet, ...fleet } };
    if (config.environments[name].fleet.desiredCapacity !== undefined) config.environments[name].fleet.desiredCapacity = fleet.minSize;
    stacks.set(`${parsed.app.name}-${name}`, `fleet.minSize ${env.fleet.minSize} -> ${fleet.minSize}, maxSize ${env.fleet.maxSize} -> ${fleet.maxSize}, instanceType ${env.fleet.instanceType} -> ${fleet.instanceType}`);
  }
  if (stacks.size === 0) return undefined;
  const changed = structuredClone(parsed);
  for (const [name, env] of Object.entries(config.environments)) if (stacks.has(`${parsed.app.name}-${name}`)) Object.assign(changed.environments[name].fleet, { minSize: env.fleet.minSize, maxSize: env.fleet.maxSize, instanceType: env.fleet.instanceType });
  return { config, parsed: changed, stacks };
}

/**
 * The configuration with the instance size of every in-place fleet with an instance refresh changed
 * (a new launch template version), and per stack what the refresh that change starts must carry.
 */
function templateChange(parsed, adapted) {
  const config = structuredClone(adapted);
  const stacks = new Map();
  for (const [name, env] of Object.entries(parsed.environments)) {
    const refresh = env.fleet?.instanceRefresh;
    if (env.platform !== "fleet" || env.deployment?.mode !== "in-place" || !refresh) continue;
    const [family, size] = env.fleet.instanceType.split(".");
    const instanceType = `${family}.${size === "large" ? "xlarge" : "large"}`;
    config.environments[name] = { ...config.environments[name], fleet: { ...config.environments[name]?.fleet, instanceType } };
    // lib/config/instance-refresh.ts: `true` is every default; alarms default to the ones that stop a deployment.
    const r = refresh === true ? {} : refresh;
    const alarmKinds = r.alarms ?? env.observability.alarms.stopDeployments;
    stacks.set(`${parsed.app.name}-${name}`, {
      change: `fleet.instanceType ${env.fleet.instanceType} -> ${instanceType}`,
      region: parsed.app.region,
      group: `${parsed.app.name}-${name}-fleet`,
      expected: {
        MinHealthyPercentage: r.minHealthyPercent ?? 90,
        MaxHealthyPercentage: r.maxHealthyPercent ?? 100,
        CheckpointPercentages: r.checkpoints?.percentages ?? null,
        CheckpointDelay: r.checkpoints ? r.checkpoints.delaySeconds : null,
        SkipMatching: r.skipMatching ?? false,
        AutoRollback: r.autoRollback ?? false,
        ScaleInProtectedInstances: r.scaleInProtectedInstances ?? "Ignore",
        StandbyInstances: r.standbyInstances ?? "Ignore",
        // FleetAlarms: 5xx is two alarms (load balancer and targets) unless the load balancer is shared.
        alarms: alarmKinds.length + (alarmKinds.includes("5xx") && env.loadBalancer?.mode !== "shared" ? 1 : 0),
        alarmPrefix: `${parsed.app.name}-${name}-`,
      },
    });
  }
  return stacks.size === 0 ? undefined : { config, stacks };
}

/** What the live group of a deployment group must have, from the parsed configuration. */
function expectedFleet(parsed, group) {
  const name = Object.keys(parsed.environments).find((n) => `${parsed.app.name}-${n}` === group.name);
  if (!name) throw new StepError(`deployment group ${group.name} belongs to no environment of the configuration`);
  const fleet = parsed.environments[name].fleet;
  return {
    minSize: fleet.minSize,
    maxSize: fleet.maxSize,
    instanceType: fleet.instanceType,
    launchTemplateVersion: "$Latest",
    healthCheckType: "ELB",
    targetGroups: 1,
    policies: ["cpu-target-tracking", ...(fleet.scaling.requestsPerTarget !== undefined ? ["requests-per-target-tracking"] : [])].sort(),
    notifications: true,
    // FleetAlarms.groupAlarmNames, which the fleet reconciler points at the live group.
    groupAlarms: ["cpu-high", "disk-high", "memory-high"].map((alarm) => `${group.name}-${alarm}`),
    // fleet.warmPool and fleet.purchase: the reconciler puts them on every copy (constructs/fleet.ts, copySettings).
    warmPool: fleet.warmPool?.enabled
      ? { poolState: fleet.warmPool.poolState, minSize: fleet.warmPool.minSize, maxGroupPreparedCapacity: fleet.warmPool.maxGroupPreparedCapacity ?? null, reuseOnScaleIn: fleet.warmPool.reuseOnScaleIn }
      : null,
    // (Attribute-based selection is not compared: moto launches nothing from instance requirements.)
    ...(fleet.purchase?.instanceRequirements ? {} : { mixedInstances: fleet.purchase?.enabled
        ? {
            instanceTypes: [fleet.instanceType, ...fleet.purchase.instanceTypes],
            onDemandBaseCapacity: fleet.purchase.onDemandBaseCapacity,
            onDemandPercentageAboveBaseCapacity: fleet.purchase.onDemandPercentageAboveBase,
            onDemandAllocationStrategy: fleet.purchase.onDemandAllocationStrategy ?? "prioritized",
            spotAllocationStrategy: fleet.purchase.spotAllocationStrategy,
          }
        : null }),
    capacityRebalance: fleet.purchase?.enabled ? fleet.purchase.capacityRebalance : false,
  };
}

/**
 * Blue/green deployment groups of an applied stack, from its raw state (`terraform state pull`
 * reads the backend without loading the AWS provider's schema, which `terraform show -json` does
 * for about 5 CPU-seconds).
 */
async function blueGreenGroups(env, dir) {
  const { code, output } = await run("terraform", ["state", "pull"], dir, env);
  if (code !== 0) throw new StepError(`terraform state pull failed in ${path.basename(dir)}:\n${tail(output)}`);
  const state = JSON.parse(output);
  if (state.version !== 4) throw new StepError(`terraform state pull in ${path.basename(dir)}: state format ${state.version}, the tier reads format 4`);
  return (state.resources ?? [])
    .filter((r) => r.type === "aws_codedeploy_deployment_group" && r.mode === "managed")
    .flatMap((r) => r.instances.map((i) => i.attributes))
    .filter((a) => a.deployment_style?.[0]?.deployment_type === "BLUE_GREEN" && a.blue_green_deployment_config?.[0]?.green_fleet_provisioning_option?.[0]?.action === "COPY_AUTO_SCALING_GROUP")
    .map((a) => ({ app: a.app_name, name: a.deployment_group_name, region: a.arn.split(":")[3] }));
}

/** CodeDeploy deployment groups of ECS services (compute platform ECS) in a stack's state. */
async function ecsBlueGreenGroups(env, dir) {
  const { code, output } = await run("terraform", ["state", "pull"], dir, env);
  if (code !== 0) throw new StepError(`terraform state pull failed in ${path.basename(dir)}:\n${tail(output)}`);
  return (JSON.parse(output).resources ?? [])
    .filter((r) => r.type === "aws_codedeploy_deployment_group" && r.mode === "managed")
    .flatMap((r) => r.instances.map((i) => i.attributes))
    .filter((a) => a.ecs_service?.[0]?.service_name)
    .map((a) => ({ app: a.app_name, name: a.deployment_group_name, region: a.arn.split(":")[3] }));
}

/**
 * The way out of cdktf (issue 18, docs/eject.md): `npm run eject` of the stack, as JSON and as HCL,
 * each a standalone directory on the same state, planned against what the JSON output applied:
 * nothing to do.
 */
async function eject(c, dir, configFile, jsonStack, env, log) {
  const stack = path.basename(jsonStack);
  for (const format of ["json", "hcl"]) {
    const outDir = path.join(dir, `ejected-${format}`);
    await ejectStack({ configFile, stack, outDir, format, synthOutdir: path.join(dir, "out") }).catch((e) => {
      throw new StepError(`npm run eject -- --stack ${stack}${format === "hcl" ? " --hcl" : ""} failed: ${e.problems ? e.problems.map((p) => `${p.path}: ${p.received}; allowed: ${p.allowed}`).join("; ") : e.message}`);
    });
    await terraform(env, outDir, ["init", "-input=false", "-no-color"], log);
    await planEmpty(env, outDir, log, `of the ejected ${format.toUpperCase()} directory against the state the JSON output applied`);
  }
}

/** `cdktf deploy` / `cdktf destroy` of every stack, as users run them, with the adapted configuration. */
async function cdktf(c, dir, configFile, env, verb, log) {
  const project = path.join(dir, "cli");
  fs.mkdirSync(project, { recursive: true });
  const cdktfJson = JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8"));
  cdktfJson.app = `node ${JSON.stringify(path.join(root, "dist", "main.js"))}`;
  fs.writeFileSync(path.join(project, "cdktf.json"), JSON.stringify(cdktfJson, null, 2));
  const cli = path.join(root, "node_modules", ".bin", "cdktf");
  const cliEnv = { ...env, APP_CONFIG: configFile, GENERATED_DIR: path.join(dir, "generated"), CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1", DISABLE_VERSION_CHECK: "true", CI: "1", FORCE_COLOR: "0" };
  // --skip-provider-lock: after init, cdktf runs `terraform providers lock -platform=linux_amd64`, which
  // ignores the CLI configuration's filesystem mirror and asks registry.terraform.io (offline here);
  // the lock file `terraform init` wrote from the mirror is kept. The outputs-file flag is deploy's only.
  const argv = [verb, ...(c.stackNames ?? ["*"]), "--auto-approve", "--parallelism", "10", "--skip-provider-lock", ...(verb === "deploy" ? ["--outputs-file-include-sensitive-outputs=false"] : [])];
  const { code, output } = await run(cli, argv, project, cliEnv);
  log.push(`$ cdktf ${argv.join(" ")} -> ${code}\n${output}`);
  if (code !== 0) throw new StepError(`cdktf ${verb} exited ${code}:\n${tail(output)}`);
}

/** A case's expected length: its stacks (the environments, and a shared load balancer). */
function weight(c) {
  const config = YAML.parse(fs.readFileSync(path.join(root, c.config), "utf8"));
  return Object.keys(config.environments ?? {}).length + (config.sharedLoadBalancer ? 1 : 0);
}

/** Like Promise.all, but lets every promise settle before it throws the first failure. */
async function all(promises) {
  const settled = await Promise.allSettled(promises);
  const failure = settled.find((r) => r.status === "rejected");
  if (failure) throw failure.reason;
  return settled.map((r) => r.value);
}

function tail(text, n = 4000) {
  return text.length > n ? `...${text.slice(-n)}` : text;
}

async function runAll(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

function printTable(rows) {
  const columns = ["moto", "synth", "cdktf", "init", "apply", "plan", "eject", "refresh", "release", "settings", "decommission", "destroy", "leftovers"];
  const head = ["case", "stacks", "releases", ...columns.map((c) => `${c} s`), "result"];
  const body = rows.map((r) => [r.name, String(r.stacks), String(r.releases), ...columns.map((c) => (r.times[c] === undefined ? "-" : r.times[c].toFixed(1))), r.ok ? "ok" : `FAILED (${r.step})`]);
  const Table = require("cli-table3");
  const table = new Table({ head, colAligns: head.map((_h, i) => (i === 0 || i === head.length - 1 ? "left" : "right")), style: { head: [], border: [] } });
  for (const b of body) table.push(b);
  console.log(table.toString());
}

function fail(message) {
  console.error(`e2e: ${message}`);
  process.exit(1);
}

async function main() {
  python = preflight();
  synthesize = require(path.join(root, "dist", "lib", "synth", "synth.js")).synthesize;
  ejectStack = require(path.join(root, "dist", "lib", "synth", "eject.js")).eject;
  const casesDir = process.env.E2E_CASES_DIR ? path.resolve(process.env.E2E_CASES_DIR) : path.join(e2eDir, "cases");
  const spec = { cases: Object.fromEntries(fs.readdirSync(casesDir).filter((f) => f.endsWith(".yaml")).sort().map((f) => [f.slice(0, -5), YAML.parse(fs.readFileSync(path.join(casesDir, f), "utf8"))])) };
  if (!args.case) checkEveryExampleHasACase(spec);
  const cases = Object.entries(spec.cases)
    .map(([name, c]) => ({ name, ...c }))
    .filter((c) => !args.case || args.case.includes(c.name));
  if (cases.length === 0) fail(`No case matches ${args.case.join(", ")}; cases: ${Object.keys(spec.cases).join(", ")}`);
  checkCases(cases);
  const jobs = Math.max(1, Number(jobsOption ?? cases.length));
  // The longest first, so that with fewer jobs than cases no long case starts last.
  cases.sort((a, b) => weight(b) - weight(a) || a.name.localeCompare(b.name));

  // Only the selected cases' directories: other runs of the tier (--case) may be using theirs.
  for (const c of cases) fs.rmSync(path.join(outRoot, c.name), { recursive: true, force: true });
  fs.mkdirSync(outRoot, { recursive: true });
  const started = Date.now();
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => { stopAll(); process.exit(130); });
  process.on("exit", stopAll);

  const results = await runAll(cases, jobs, runCase);
  stopAll();
  printTable(results);
  const failed = results.filter((r) => !r.ok);
  console.log(`\ne2e: ${results.length} case(s), ${results.reduce((n, r) => n + r.stacks, 0)} stack(s), ${results.reduce((n, r) => n + r.releases, 0)} simulated release(s), ${failed.length} failed, ${((Date.now() - started) / 1000).toFixed(1)} s with ${jobs} job(s)`);
  for (const r of results) for (const note of r.notes) console.log(`${r.name}: ${note}`);
  for (const r of failed) console.error(`\n--- ${r.name}: ${r.step} failed ---\n${r.output}`);
  process.exitCode = failed.length ? 1 : 0;
}

await main();
