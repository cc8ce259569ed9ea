// The fleet's Nginx site (templates/fleet/nginx.conf) run by a real Nginx (Debian package, installed
// by `npm test` like shellcheck): the health check before and after the first release.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { fleetReleasedMarker, renderFleetNginxConf } from "../lib/release/user-data";
import { releaseFiles } from "../lib/release/release-files";
import { configWith } from "./helpers/synth";

const NGINX = spawnSync("nginx", ["-v"]).status === 0;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function get(port: number, urlPath: string): Promise<{ status: number; body: string; cacheControl?: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: urlPath, agent: false }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode!, body, ...(res.headers["cache-control"] ? { cacheControl: String(res.headers["cache-control"]) } : {}) }));
      })
      .on("error", reject);
  });
}

describe("fleet Nginx site, run by Nginx", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-nginx-"));
  const marker = path.join(dir, "released");
  let proxyPort = 0;
  let appPort = 0;
  let app: http.Server | undefined;
  let appStatus = 200;

  beforeAll(async () => {
    if (!NGINX) throw new Error("nginx is not installed: these tests run the fleet's Nginx site (Debian package nginx; npm test installs it on CI)");
    [proxyPort, appPort] = [await freePort(), await freePort()];
    const conf = renderFleetNginxConf({
      appName: "webapp",
      envName: "staging",
      appPort,
      proxy: { healthCheckPath: "/health", idleTimeoutSeconds: 60, clientMaxBodyMiB: 1 },
    } as Parameters<typeof renderFleetNginxConf>[0]);
    // The site as user data writes it; only where it listens and writes moves into the test's directory.
    expect(conf).toContain(fleetReleasedMarker("webapp"));
    const site = conf
      .replace(/listen \d+ default_server;/, `listen 127.0.0.1:${proxyPort} default_server;`)
      .replace(/access_log \/var\/log\/nginx\/\S+/, `access_log ${dir}/access.log`)
      .split(fleetReleasedMarker("webapp"))
      .join(marker);
    fs.writeFileSync(path.join(dir, "site.conf"), site);
    fs.writeFileSync(
      path.join(dir, "nginx.conf"),
      // Workers run as the test's user, who can read its private temporary directory (as root,
      // Nginx would otherwise run them as nobody).
      `user ${os.userInfo().username};\ndaemon on;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  client_body_temp_path ${dir};\n  proxy_temp_path ${dir};\n  include ${dir}/site.conf;\n}\n`,
    );
    const started = spawnSync("nginx", ["-c", `${dir}/nginx.conf`, "-p", dir], { encoding: "utf8" });
    if (started.status !== 0) throw new Error(`nginx did not start: ${started.stderr}`);
  });

  afterAll(() => {
    if (NGINX) spawnSync("nginx", ["-c", `${dir}/nginx.conf`, "-p", dir, "-s", "stop"]);
    app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("before the first release the health check passes without an application", async () => {
    expect(await get(proxyPort, "/health")).toEqual({ status: 200, body: "no release yet\n" });
    expect(await get(proxyPort, "/health?deep=1")).toEqual({ status: 200, body: "no release yet\n" });
  });

  test("before the first release any other path is 404, never a 5xx the deployment alarm counts, and not cached", async () => {
    for (const p of ["/", "/api/orders?page=2", "/healthz"]) {
      expect(await get(proxyPort, p)).toEqual({ status: 404, body: "no release yet\n", cacheControl: "no-store" });
    }
  });

  test("once a release started, an application that does not answer fails the health check and answers 502", async () => {
    fs.writeFileSync(marker, "");
    expect((await get(proxyPort, "/health")).status).toBe(502);
    expect((await get(proxyPort, "/")).status).toBe(502);
    expect((await get(proxyPort, "/api/orders")).status).toBe(502);
  });

  test("the application's own answers pass through, failures included", async () => {
    app = http.createServer((req, res) => res.writeHead(req.url === "/health" ? appStatus : 200).end("app")).listen(appPort, "127.0.0.1");
    await new Promise((r) => app!.once("listening", r));
    expect(await get(proxyPort, "/health")).toEqual({ status: 200, body: "app" });
    expect(await get(proxyPort, "/api/orders")).toEqual({ status: 200, body: "app" });
    appStatus = 503;
    fs.rmSync(marker);
    // Even before the marker: only Nginx's own 502/504 are answered for the application.
    expect(await get(proxyPort, "/health")).toEqual({ status: 503, body: "app" });
    expect(await get(proxyPort, "/api/orders")).toEqual({ status: 200, body: "app" });
  });

  test("a health check path with a query keeps its quiet location (Nginx matches the path alone)", () => {
    const conf = renderFleetNginxConf({ appName: "webapp", envName: "staging", appPort: 3000, proxy: { healthCheckPath: "/health?deep=1", idleTimeoutSeconds: 60, clientMaxBodyMiB: 1 } } as Parameters<typeof renderFleetNginxConf>[0]);
    expect(conf).toContain("location = /health {");
  });

  test("the ApplicationStart hook of both runtimes writes the marker Nginx reads", () => {
    for (const runtime of ["nodejs", "docker"] as const) {
      const config = configWith({ defaults: { application: { runtime } }, environments: { staging: { network: { cidr: "10.10.0.0/16" } } } });
      const files = releaseFiles(config, "staging");
      const start = files.filter((f) => /application-start\.sh$/.test(f.path)).map((f) => f.content)[0];
      expect(start).toContain("\nmark_released\n");
      expect(start).toContain(`/var/lib/\${APP_NAME}/first-release-started`);
      expect(fleetReleasedMarker("webapp")).toBe("/var/lib/webapp/first-release-started");
    }
  });
});
