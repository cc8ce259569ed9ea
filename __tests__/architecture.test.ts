// The architecture picture of every stack (lib/architecture.ts): drawn from the synthesized
// Terraform, written next to cdk.tf.json / cdk.tf inside synthesis' atomic swap, identical from
// one synth to the next, and a picture a browser actually draws.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { ARCHITECTURE_FILE, ArchitectureRenderer, loadArchitectureRenderer, NodeKind } from "../lib/architecture";
import { runSynth } from "../lib/synth/cli";
import { loadConfigFile } from "../lib/config/load";
import { synthesize } from "../lib/synth/synth";
import { captureConsole } from "./helpers/console";
import { Synth, synthConfig } from "./helpers/synth";

const root = path.join(__dirname, "..");
const defaultConfig = path.join(root, "config", "default.yaml");
const exampleFiles = fs.readdirSync(path.join(root, "config", "examples")).filter((f) => f.endsWith(".yaml")).sort();
jest.setTimeout(120_000);

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "architecture-"));

/** Graphviz escapes `-` and `>` in titles; `<title>` holds the Terraform address (nodes) or `a->b` (edges). */
const decode = (s: string) =>
  s
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

interface SvgNode {
  readonly kinds: string[];
  readonly id: string;
  /** Text drawn in the node, lines joined by "\n". */
  readonly text: string;
}

function nodesOf(svg: string): SvgNode[] {
  const nodes: SvgNode[] = [];
  for (const m of svg.matchAll(/<g id="node\d+" class="node ([^"]+)">\s*<title>([^<]*)<\/title>([\s\S]*?)<\/g>/g)) {
    const text = [...m[3].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => decode(t[1]));
    nodes.push({ kinds: decode(m[1]).split(" "), id: decode(m[2]), text: text.join("\n") });
  }
  return nodes;
}

function edgesOf(svg: string): string[] {
  return [...svg.matchAll(/<g id="edge\d+" class="edge">\s*<title>([^<]*)<\/title>/g)].map((m) => decode(m[1]));
}

const ofKind = (nodes: SvgNode[], kind: NodeKind) => nodes.filter((n) => n.kinds.includes(kind));
const count = (json: Synth, type: string) => Object.keys(json.resource?.[type] ?? {}).length;

/**
 * Kinds whose nodes stand one-to-one for resources of a Terraform type: the picture has exactly
 * as many of each as the stack has resources (none when the stack has none).
 */
const ONE_PER_RESOURCE: ReadonlyArray<readonly [NodeKind, string]> = [
  ["asg", "aws_autoscaling_group"],
  ["launch-template", "aws_launch_template"],
  ["target-group", "aws_lb_target_group"],
  ["ecs-service", "aws_ecs_service"],
  ["ecs-cluster", "aws_ecs_cluster"],
  ["rds", "aws_db_instance"],
  ["cloudfront", "aws_cloudfront_distribution"],
  ["s3-bucket", "aws_s3_bucket"],
  ["ecr-repository", "aws_ecr_repository"],
  ["golden-ami", "aws_imagebuilder_image"],
  ["image-recipe", "aws_imagebuilder_image_recipe"],
  ["image-pipeline", "aws_imagebuilder_image_pipeline"],
  ["sns-topic", "aws_sns_topic"],
  ["alarm", "aws_cloudwatch_metric_alarm"],
  ["nat-gateway", "aws_nat_gateway"],
  ["internet-gateway", "aws_internet_gateway"],
  ["lambda", "aws_lambda_function"],
];

let render: ArchitectureRenderer;
beforeAll(async () => {
  render = await loadArchitectureRenderer();
});

type Pictures = Record<string, { json: Synth; svg: string; nodes: SvgNode[]; edges: string[] }>;
const drawn = new Map<string, Pictures>();

/** Every stack of a configuration: its JSON and its picture (synthesized once per file). */
function pictures(file: string): Pictures {
  const known = drawn.get(file);
  if (known) return known;
  const config = loadConfigFile(file);
  const result: Pictures = Object.fromEntries(
    Object.entries(synthConfig(config)).map(([env, json]) => {
      const svg = render(json, `${config.app.name}-${env}`);
      return [env, { json, svg, nodes: nodesOf(svg), edges: edgesOf(svg) }];
    }),
  );
  drawn.set(file, result);
  return result;
}

let defaultOutput: Promise<{ dir: string; result: Awaited<ReturnType<typeof synthesize>> }> | undefined;
/** `npm run synth`'s output for the default configuration, written once for the tests that read it. */
function synthesizedDefault() {
  defaultOutput ??= (async () => {
    const dir = path.join(tmp(), "a");
    return { dir, result: await synthesize({ configFile: defaultConfig, outdir: dir, generatedDir: `${dir}.generated` }) };
  })();
  return defaultOutput;
}

/** The edge `from -> to` between the nodes of two kinds exists. */
function linked(p: { nodes: SvgNode[]; edges: string[] }, from: NodeKind, to: NodeKind): boolean {
  return ofKind(p.nodes, from).some((a) => ofKind(p.nodes, to).some((b) => p.edges.includes(`${a.id}->${b.id}`)));
}

/** A path of edges leads from a node of one kind to a node of the other. */
function reaches(p: { nodes: SvgNode[]; edges: string[] }, from: NodeKind, to: NodeKind): boolean {
  const targets = new Set(ofKind(p.nodes, to).map((n) => n.id));
  const seen = new Set<string>();
  const queue = ofKind(p.nodes, from).map((n) => n.id);
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (targets.has(id)) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const edge of p.edges) if (edge.startsWith(`${id}->`)) queue.push(edge.slice(id.length + 2));
  }
  return false;
}

describe("content: a node per resource of every kind the stack has, none of kinds it lacks", () => {
  test.each(["default.yaml", ...exampleFiles])("%s", (file) => {
    const all = pictures(file === "default.yaml" ? defaultConfig : path.join(root, "config", "examples", file));
    for (const [env, p] of Object.entries(all)) {
      for (const [kind, type] of ONE_PER_RESOURCE) {
        expect({ env, kind, nodes: ofKind(p.nodes, kind).length }).toEqual({ env, kind, nodes: count(p.json, type) });
      }
      // Load balancers: one node per aws_lb of the stack; a stack without one but with listener rules
      // on another stack's listener draws that shared load balancer instead.
      expect({ env, alb: ofKind(p.nodes, "alb").length }).toEqual({ env, alb: count(p.json, "aws_lb") });
      // An instance is a host or a bastion, never both.
      expect({ env, instances: ofKind(p.nodes, "ec2-instance").length + ofKind(p.nodes, "bastion").length }).toEqual({ env, instances: count(p.json, "aws_instance") });
      // A pipeline's stages are nodes; a stack without a pipeline has none.
      const stages = Object.values<any>(p.json.resource?.aws_codepipeline ?? {}).flatMap((pl) => pl.stage);
      const stageNodes = p.nodes.filter((n) => n.kinds.some((k) => k.startsWith("pipeline-")));
      expect({ env, stages: stageNodes.length }).toEqual({ env, stages: stages.length });
      // Every node's title (the browser's tooltip) is a Terraform address of the stack, or a group of them.
      const addresses = new Set(Object.entries<Record<string, unknown>>(p.json.resource ?? {}).flatMap(([t, byName]) => Object.keys(byName).map((n) => `${t}.${n}`)));
      for (const node of p.nodes) {
        const base = node.id.split("/")[0];
        const known = addresses.has(base) || ["users", "operators", "others"].includes(node.id) || base.startsWith("data.terraform_remote_state.");
        expect({ env, node: node.id, known }).toEqual({ env, node: node.id, known: true });
      }
    }
  });

  test("default configuration: load balancer, blue/green fleet, release pipeline, buckets, registry, golden AMI, alarms to the topic", () => {
    const { staging, production } = pictures(defaultConfig);
    for (const p of [staging, production]) {
      expect(ofKind(p.nodes, "alb").map((n) => n.id)).toEqual(["aws_lb.load_balancer_alb"]);
      expect(ofKind(p.nodes, "alb")[0].text).toMatch(/Application Load Balancer\ninternet-facing\nHTTP :80/);
      expect(ofKind(p.nodes, "asg").map((n) => n.text.split("\n")[0])).toEqual(["Auto Scaling group (blue/green)"]);
      expect(ofKind(p.nodes, "codedeploy")).toHaveLength(1);
      // users → load balancer → target group → fleet; CodeDeploy deploys to the fleet; the image feeds the template.
      expect(linked(p, "users", "alb")).toBe(true);
      expect(linked(p, "alb", "target-group")).toBe(true);
      expect(linked(p, "target-group", "asg")).toBe(true);
      expect(linked(p, "codedeploy", "asg")).toBe(true);
      expect(linked(p, "golden-ami", "launch-template")).toBe(true);
      expect(linked(p, "pipeline-source", "pipeline-build")).toBe(true);
      // Every alarm notifies the topic.
      for (const alarm of ofKind(p.nodes, "alarm")) expect(p.edges).toContain(`${alarm.id}->aws_sns_topic.notifications`);
      expect(ofKind(p.nodes, "alarm").length).toBeGreaterThanOrEqual(4);
      expect(ofKind(p.nodes, "s3-bucket").map((n) => n.text.split("\n")[0]).sort()).toEqual(["S3 bucket (access logs)", "S3 bucket (release artifacts)"]);
      expect(ofKind(p.nodes, "subnets").map((n) => n.id)).toEqual(["aws_vpc.network_vpc/public-subnets", "aws_vpc.network_vpc/private-subnets"]);
      // The load balancer sits in the public tier, the fleet in the private one (clusters nest the nodes).
      expect(p.svg).toMatch(/<title>cluster_aws_vpc\.network_vpc_public<\/title>/);
      for (const kind of ["cloudfront", "rds", "bastion", "ecs-service", "host-rule", "shared-alb", "ec2-instance", "static-frontend"] as const) {
        expect({ kind, nodes: ofKind(p.nodes, kind).length }).toEqual({ kind, nodes: 0 });
      }
    }
    // Stages as configured: production has a manual approval and a scheduled image pipeline, staging neither.
    const stages = (p: typeof staging) => p.nodes.filter((n) => n.kinds.some((k) => k.startsWith("pipeline-"))).map((n) => n.kinds[0]);
    expect(stages(staging)).toEqual(["pipeline-source", "pipeline-build", "pipeline-deploy"]);
    expect(stages(production)).toEqual(["pipeline-source", "pipeline-build", "pipeline-approval", "pipeline-deploy"]);
    expect(ofKind(production.nodes, "image-pipeline")[0].text).toContain("schedule cron(0 3 ? * SUN *)");
    expect(ofKind(staging.nodes, "image-pipeline")).toHaveLength(0);
  });

  test("ecs.yaml: ECS services behind path rules, deployed by their pipelines; CodeDeploy for the blue-green service (web) only, no golden AMI", () => {
    for (const p of Object.values(pictures(path.join(root, "config", "examples", "ecs.yaml")))) {
      expect(ofKind(p.nodes, "ecs-service").length).toBe(2);
      expect(ofKind(p.nodes, "path-rule").length).toBe(2);
      expect(linked(p, "target-group", "ecs-service")).toBe(true);
      expect(linked(p, "pipeline-deploy", "ecs-service")).toBe(true);
      expect(ofKind(p.nodes, "asg")[0].text.split("\n")[0]).toBe("Auto Scaling group (ECS capacity)");
      expect(ofKind(p.nodes, "codedeploy").length).toBe(1);
      for (const kind of ["golden-ami", "cloudfront", "rds", "bastion", "host-rule"] as const) expect({ kind, n: ofKind(p.nodes, kind).length }).toEqual({ kind, n: 0 });
    }
  });

  test("dedicated-https-cdn.yaml: CloudFront in front of the load balancer", () => {
    const { production } = pictures(path.join(root, "config", "examples", "dedicated-https-cdn.yaml"));
    expect(ofKind(production.nodes, "cloudfront")).toHaveLength(1);
    // CloudFront's origin is the load balancer's DNS name: distribution → origin record → load balancer.
    expect(linked(production, "cloudfront", "dns-record")).toBe(true);
    expect(reaches(production, "cloudfront", "alb")).toBe(true);
    expect(reaches(production, "users", "asg")).toBe(true);
    expect(ofKind(production.nodes, "alb")[0].text).toMatch(/HTTPS :443/);
    for (const kind of ["rds", "bastion", "ecs-service", "static-frontend"] as const) expect({ kind, n: ofKind(production.nodes, kind).length }).toEqual({ kind, n: 0 });
  });

  test("bastion-rds-frontend.yaml: RDS in the database tier reached by the fleet and the bastion; static front end behind CloudFront", () => {
    for (const p of Object.values(pictures(path.join(root, "config", "examples", "bastion-rds-frontend.yaml")))) {
      expect(ofKind(p.nodes, "rds")).toHaveLength(1);
      expect(ofKind(p.nodes, "bastion")).toHaveLength(1);
      expect(ofKind(p.nodes, "ec2-instance")).toHaveLength(0);
      expect(ofKind(p.nodes, "static-frontend")).toHaveLength(1);
      expect(linked(p, "cloudfront", "static-frontend")).toBe(true);
      expect(linked(p, "asg", "rds")).toBe(true);
      expect(linked(p, "bastion", "rds")).toBe(true);
      expect(ofKind(p.nodes, "subnets").map((n) => n.id)).toContain("aws_vpc.network_vpc/data-subnets");
    }
  });

  test("shared-alb.yaml: environments draw their host rule on the shared load balancer; the shared stack draws the load balancer", () => {
    const all = pictures(path.join(root, "config", "examples", "shared-alb.yaml"));
    for (const [env, p] of Object.entries(all)) {
      if (env === "shared") {
        expect(ofKind(p.nodes, "alb")).toHaveLength(1);
        for (const kind of ["asg", "host-rule", "pipeline-source", "shared-alb"] as const) expect({ kind, n: ofKind(p.nodes, kind).length }).toEqual({ kind, n: 0 });
      } else {
        expect({ env, rules: ofKind(p.nodes, "host-rule").length, shared: ofKind(p.nodes, "shared-alb").length, alb: ofKind(p.nodes, "alb").length }).toEqual({ env, rules: 1, shared: 1, alb: 0 });
        expect(ofKind(p.nodes, "host-rule")[0].text).toMatch(/Host rule on the shared load balancer\nhost /);
        expect(linked(p, "shared-alb", "host-rule")).toBe(true);
        expect(linked(p, "host-rule", "target-group")).toBe(true);
      }
    }
    expect(Object.keys(all).sort()).toEqual(["production", "qa", "shared", "staging"]);
  });

  test("hosts.yaml: plain hosts, no load balancer and no fleet", () => {
    for (const p of Object.values(pictures(path.join(root, "config", "examples", "hosts.yaml")))) {
      expect(ofKind(p.nodes, "ec2-instance")).toHaveLength(1);
      expect(linked(p, "users", "dns-record")).toBe(true);
      for (const kind of ["alb", "asg", "bastion", "pipeline-source"] as const) expect({ kind, n: ofKind(p.nodes, kind).length }).toEqual({ kind, n: 0 });
    }
  });
});

describe("synthesis writes the picture", () => {
  test("next to cdk.tf.json and cdk.tf, byte-identical from one synth to the next and between the formats", async () => {
    const dir = tmp();
    const [b, hcl] = ["b", "hcl"].map((d) => path.join(dir, d));
    const { dir: a, result: first } = await synthesizedDefault();
    await synthesize({ configFile: defaultConfig, outdir: b, generatedDir: `${b}.generated` });
    await synthesize({ configFile: defaultConfig, outdir: hcl, format: "hcl", generatedDir: `${hcl}.generated` });
    for (const stack of ["webapp-staging", "webapp-production"]) {
      const read = (d: string) => fs.readFileSync(path.join(d, "stacks", stack, ARCHITECTURE_FILE));
      expect(read(a).length).toBeGreaterThan(10_000);
      expect(read(a).equals(read(b))).toBe(true);
      expect(read(a).equals(read(hcl))).toBe(true);
      expect(fs.existsSync(path.join(hcl, "stacks", stack, "cdk.tf"))).toBe(true);
    }
    expect(first.stacks.map((s) => s.architecture)).toEqual(["webapp-staging", "webapp-production"].map((s) => path.join(a, "stacks", s, ARCHITECTURE_FILE)));
    const svg = fs.readFileSync(first.stacks[0].architecture, "utf8");
    expect(svg).toMatch(/^<\?xml version="1\.0" encoding="UTF-8" standalone="no"\?>/);
    expect(svg).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
  });

  test("a synth that fails while drawing leaves the previous output, pictures included, and no temporary directory", async () => {
    const dir = tmp();
    const outdir = path.join(dir, "out");
    const generatedDir = path.join(dir, "generated");
    await synthesize({ configFile: defaultConfig, outdir, generatedDir });
    const files = ["cdk.tf.json", ARCHITECTURE_FILE].map((f) => path.join(outdir, "stacks", "webapp-staging", f));
    const before = files.map((f) => fs.readFileSync(f));
    // Another VPC range draws another picture; drawing fails after the first stack's picture was written.
    const next = path.join(dir, "next.yaml");
    fs.writeFileSync(next, "app: { name: webapp, region: eu-west-1 }\nenvironments:\n  staging:\n    network: { cidr: 10.30.0.0/16 }\n  qa:\n    network: { cidr: 10.40.0.0/16 }\n");
    let failing: typeof import("../lib/synth/synth") | undefined;
    jest.isolateModules(() => {
      jest.doMock("../lib/architecture", () => {
        const actual = jest.requireActual<typeof import("../lib/architecture")>("../lib/architecture");
        return {
          ...actual,
          writeArchitecturePictures: (...[stacks, stacksDir, draw]: Parameters<typeof actual.writeArchitecturePictures>) => {
            actual.writeArchitecturePictures(stacks.slice(0, 1), stacksDir, draw);
            throw new Error("drawing failed after the first picture");
          },
        };
      });
      failing = require("../lib/synth/synth");
    });
    jest.dontMock("../lib/architecture");
    await expect(failing!.synthesize({ configFile: next, outdir, generatedDir })).rejects.toThrow(/drawing failed/);
    expect(files.map((f) => fs.readFileSync(f).equals(before[files.indexOf(f)]))).toEqual([true, true]);
    expect(fs.readdirSync(path.join(outdir, "stacks")).sort()).toEqual(["webapp-production", "webapp-staging"]);
    expect(fs.readdirSync(dir).sort()).toEqual(["generated", "next.yaml", "out"]);
  });

  test("npm run synth names the pictures in its summary", async () => {
    const dir = tmp();
    const c = captureConsole();
    const code = await runSynth(["--config", defaultConfig, "--out", path.join(dir, "out"), "--generated", path.join(dir, "g")], {});
    c.restore();
    expect(code).toBe(0);
    const rel = (s: string) => path.relative(process.cwd(), path.join(dir, "out", "stacks", s, ARCHITECTURE_FILE));
    expect(c.out).toContain(`Architecture pictures: ${rel("webapp-staging")}, ${rel("webapp-production")}`);
  });
});

describe("looked at: Chromium draws the default staging picture", () => {
  test("a PNG of the expected size with the colours of the load balancer, the fleet and the pipeline", async () => {
    const chromium = spawnSync("chromium", ["--version"], { encoding: "utf8" });
    if (chromium.error || chromium.status !== 0) {
      throw new Error("chromium is missing: install the Debian package `chromium` (apt-get install --no-install-recommends chromium); npm test installs it (scripts/test.mjs)");
    }
    const dir = tmp();
    const { result } = await synthesizedDefault();
    const svgFile = result.stacks.find((s) => s.name === "webapp-staging")!.architecture;
    const svg = fs.readFileSync(svgFile, "utf8");
    // Graphviz sizes the drawing in points; a browser draws 4/3 pixels per point.
    const [, wPt, hPt] = /<svg width="(\d+)pt" height="(\d+)pt"/.exec(svg) ?? [];
    const width = Math.ceil((Number(wPt) * 4) / 3);
    const height = Math.ceil((Number(hPt) * 4) / 3);
    expect(width).toBeGreaterThan(600);
    const png = path.join(dir, "staging.png");
    const shot = spawnSync(
      "chromium",
      ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", `--user-data-dir=${path.join(dir, "profile")}`, `--screenshot=${png}`, `--window-size=${width},${height}`, `file://${svgFile}`],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect({ status: shot.status, exists: fs.existsSync(png) }).toEqual({ status: 0, exists: true });
    const image = decodePng(fs.readFileSync(png));
    expect({ width: image.width, height: image.height }).toEqual({ width, height });
    // Not blank: many colours, and the fills of the kinds the picture must show (lib/architecture.ts PALETTE).
    // Every second pixel of every second row.
    const colours = new Map<string, number>();
    let samples = 0;
    for (let y = 0; y < image.height; y += 2) {
      for (let x = 0; x < image.width; x += 2) {
        const hex = image.pixel(y * image.width + x);
        colours.set(hex, (colours.get(hex) ?? 0) + 1);
        samples++;
      }
    }
    expect(colours.size).toBeGreaterThan(50);
    expect((colours.get("#ffffff") ?? 0) / samples).toBeLessThan(0.95);
    for (const fill of ["#f1eaff" /* load balancer */, "#fdebd9" /* fleet */, "#e6f0fb" /* pipeline */, "#fde6ef" /* alarms, topic */]) {
      expect({ fill, pixels: (colours.get(fill) ?? 0) > 200 }).toEqual({ fill, pixels: true });
    }
  });
});

/** A small PNG reader (8-bit RGB or RGBA, not interlaced: what Chromium writes). */
function decodePng(buffer: Buffer): { width: number; height: number; pixel(i: number): string } {
  expect(buffer.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString("ascii", offset + 4, offset + 8);
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect({ bitDepth: data[8], interlace: data[12] }).toEqual({ bitDepth: 8, interlace: 0 });
      channels = { 2: 3, 6: 4 }[data[9] as 2 | 6];
      expect(channels).toBeDefined();
    } else if (type === "IDAT") idat.push(data);
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    expect(filter).toBeLessThanOrEqual(4);
    const row = y * stride;
    const input = y * (stride + 1) + 1;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[row + x - channels] : 0;
      const b = y > 0 ? pixels[row - stride + x] : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const c = x >= channels && y > 0 ? pixels[row - stride + x - channels] : 0;
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[row + x] = (raw[input + x] + predictor) & 0xff;
    }
  }
  const hex = (n: number) => n.toString(16).padStart(2, "0");
  return { width, height, pixel: (i) => `#${hex(pixels[i * channels])}${hex(pixels[i * channels + 1])}${hex(pixels[i * channels + 2])}` };
}
