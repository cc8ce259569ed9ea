import { parseConfig } from "../lib/config/load";
import { configProblems, expectProblemLine } from "./helpers/config";

const GITHUB = {
  provider: "github",
  connectionArn: "arn:aws:codestar-connections:eu-west-1:111122223333:connection/3f6c2a1e-8b4d-4c7a-9e2f-5d1b0a6c7e84",
  repository: "acme/webapp",
  branch: "main",
};

const base = (staging: Record<string, unknown> = {}, defaults?: Record<string, unknown>) => ({
  app: { name: "webapp", region: "eu-west-1" },
  ...(defaults ? { defaults } : {}),
  environments: { staging: { network: { cidr: "10.10.0.0/16" }, ...staging } },
});

function problems(staging: Record<string, unknown>, defaults?: Record<string, unknown>): string[] {
  return configProblems(base(staging, defaults));
}

function expectProblem(staging: Record<string, unknown>, path: string, received: string, allowed: RegExp, defaults?: Record<string, unknown>): void {
  expectProblemLine(problems(staging, defaults), path, received, allowed);
}

describe("release configuration", () => {
  test("defaults: blue/green (60 minutes, all at once), pipeline on with an S3 source, approval from protection", () => {
    const env = parseConfig(base()).environments.staging;
    expect(env.deployment).toEqual({ mode: "blue-green", rollbackOnAlarms: true });
    expect(env.build).toEqual({ computeType: "BUILD_GENERAL1_SMALL", timeoutMinutes: 30 });
    expect(env.pipeline).toEqual({ enabled: true, source: { provider: "s3" } });
    const bg = parseConfig(base({ deployment: { blueGreen: {} } })).environments.staging.deployment.blueGreen;
    expect(bg).toEqual({ terminationWaitMinutes: 60, deploymentConfig: "AllAtOnce" });
  });

  test("valid git, CodeCommit and S3 sources", () => {
    expect(() => parseConfig(base({ pipeline: { source: GITHUB } }))).not.toThrow();
    expect(() => parseConfig(base({ pipeline: { source: { ...GITHUB, provider: "bitbucket", connectionArn: GITHUB.connectionArn.replace("codestar-connections", "codeconnections") } } }))).not.toThrow();
    expect(() => parseConfig(base({ pipeline: { source: { provider: "codecommit", repository: "shop", branch: "release/2024-10" } } }))).not.toThrow();
    expect(() => parseConfig(base({ pipeline: { source: { provider: "s3", objectKey: "releases/shop.zip" } } }))).not.toThrow();
  });

  test("blue/green with in-place settings", () => {
    expectProblem({ deployment: { inPlace: { deploymentConfig: "OneAtATime" } } }, "environments.staging.deployment.inPlace", '{"deploymentConfig":"OneAtATime"}', /nothing while deployment.mode is "blue-green"/);
  });

  test("in-place with blue/green settings", () => {
    expectProblem({ deployment: { mode: "in-place", blueGreen: { terminationWaitMinutes: 5 } } }, "environments.staging.deployment.blueGreen", "{", /nothing while deployment.mode is "in-place"/);
  });

  test("an unknown deployment mode", () => {
    expectProblem({ deployment: { mode: "canary" } }, "environments.staging.deployment.mode", '"canary"', /one of "blue-green", "in-place"/);
  });

  test("in-place: a named configuration and minimum healthy hosts together", () => {
    expectProblem(
      { deployment: { mode: "in-place", inPlace: { deploymentConfig: "AllAtOnce", minimumHealthyHosts: { type: "HOST_COUNT", value: 1 } } } },
      "environments.staging.deployment.inPlace.deploymentConfig",
      '"AllAtOnce"',
      /not both/,
    );
  });

  test("in-place: 100% healthy hosts could never update an instance", () => {
    expectProblem({ deployment: { mode: "in-place", inPlace: { minimumHealthyHosts: { type: "FLEET_PERCENT", value: 100 } } } }, "environments.staging.deployment.inPlace.minimumHealthyHosts.value", "100", /0 to 99/);
  });

  test("termination wait beyond CodeDeploy's two days", () => {
    expectProblem({ deployment: { blueGreen: { terminationWaitMinutes: 3000 } } }, "environments.staging.deployment.blueGreen.terminationWaitMinutes", "3000", /from 0 to 2880/);
  });

  describe("blue/green: wait before traffic moves, test listener", () => {
    const TEST = { port: 8443, allowedCidrs: ["198.51.100.0/24"] };
    const waiting = (blueGreen: Record<string, unknown>, more: Record<string, unknown> = {}) => ({ deployment: { blueGreen: { waitForApproval: { minutes: 60 }, ...blueGreen } }, ...more });

    test("off by default; with them the parsed values are as given", () => {
      expect(parseConfig(base({ deployment: { blueGreen: {} } })).environments.staging.deployment.blueGreen).not.toHaveProperty("waitForApproval");
      const bg = parseConfig(base(waiting({ testListener: TEST }))).environments.staging.deployment.blueGreen!;
      expect(bg.waitForApproval).toEqual({ minutes: 60 });
      expect(bg.testListener).toEqual(TEST);
      // A wait without a test listener is fine (test through the instances, or just hold the switch).
      expect(() => parseConfig(base(waiting({})))).not.toThrow();
    });

    test("wait minutes outside 1 to 2880, or not whole", () => {
      for (const minutes of [0, 2881, 1.5]) {
        expectProblem({ deployment: { blueGreen: { waitForApproval: { minutes } } } }, "environments.staging.deployment.blueGreen.waitForApproval.minutes", String(minutes), /1 to 2880/);
      }
      expectProblem({ deployment: { blueGreen: { waitForApproval: {} } } }, "environments.staging.deployment.blueGreen.waitForApproval.minutes", "nothing", /minutes/);
    });

    test("only with mode blue-green", () => {
      expectProblem({ deployment: { mode: "in-place", blueGreen: { testListener: TEST } } }, "environments.staging.deployment.blueGreen", "{", /nothing while deployment.mode is "in-place"/);
      expectProblem({ deployment: { mode: "in-place", blueGreen: { waitForApproval: { minutes: 5 } } } }, "environments.staging.deployment.blueGreen", "{", /nothing while deployment.mode is "in-place"/);
    });

    test("a test listener needs the wait", () => {
      expectProblem({ deployment: { blueGreen: { testListener: TEST } } }, "environments.staging.deployment.blueGreen.testListener", "{", /without deployment.blueGreen.waitForApproval/);
    });

    test("the CIDR list: required, non-empty, valid CIDRs, never /0", () => {
      expectProblem(waiting({ testListener: { port: 8443 } }), "environments.staging.deployment.blueGreen.testListener.allowedCidrs", "nothing", /list of CIDRs/);
      expectProblem(waiting({ testListener: { port: 8443, allowedCidrs: [] } }), "environments.staging.deployment.blueGreen.testListener.allowedCidrs", "[]", /at least one CIDR/);
      expectProblem(waiting({ testListener: { port: 8443, allowedCidrs: ["198.51.100.7/33"] } }), "environments.staging.deployment.blueGreen.testListener.allowedCidrs.0", '"198.51.100.7/33"', /CIDR/);
      expectProblem(waiting({ testListener: { port: 8443, allowedCidrs: ["0.0.0.0/0"] } }), "environments.staging.deployment.blueGreen.testListener.allowedCidrs", '["0.0.0.0/0"]', /never the whole internet/);
      expectProblem(waiting({ testListener: { port: 8443, allowedCidrs: ["10.0.0.0/8", "::/0"] } }), "environments.staging.deployment.blueGreen.testListener.allowedCidrs", '["10.0.0.0/8","::/0"]', /never the whole internet/);
    });

    test("the port: a TCP port, not a production listener's", () => {
      for (const port of [80, 443]) {
        expectProblem(waiting({ testListener: { ...TEST, port } }), "environments.staging.deployment.blueGreen.testListener.port", String(port), /other than 80 and 443/);
      }
      for (const port of [0, 65536, 8443.5]) {
        expectProblem(waiting({ testListener: { ...TEST, port } }), "environments.staging.deployment.blueGreen.testListener.port", String(port), /TCP port/);
      }
      expectProblem(waiting({ testListener: { allowedCidrs: TEST.allowedCidrs } }), "environments.staging.deployment.blueGreen.testListener.port", "nothing", /TCP port/);
    });

    test("only for the EC2 fleet platform", () => {
      const lines = configProblems(base({ platform: "host", ...waiting({ testListener: TEST }) }));
      expectProblemLine(lines, "environments.staging.deployment.blueGreen.waitForApproval", "{", /unless platform is "fleet"/);
      expectProblemLine(lines, "environments.staging.deployment.blueGreen.testListener", "{", /unless platform is "fleet"/);
    });

    test("not on the shared load balancer", () => {
      const lines = configProblems({
        app: { name: "webapp", region: "eu-west-1" },
        sharedLoadBalancer: { network: { cidr: "10.0.0.0/16" } },
        environments: {
          staging: { loadBalancer: { mode: "shared", hostName: "staging.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }, ...waiting({ testListener: TEST }) },
        },
      });
      expectProblemLine(lines, "environments.staging.deployment.blueGreen.testListener", "{", /loadBalancer.mode "shared".*dedicated load balancer/);
    });
  });

  test("instance refresh with blue/green (also when inherited from defaults)", () => {
    expectProblem({ fleet: { instanceRefresh: true } }, "environments.staging.fleet.instanceRefresh", "true", /false while deployment.mode is "blue-green"/);
    expect(() => parseConfig(base({ fleet: { instanceRefresh: true }, deployment: { mode: "in-place" } }))).not.toThrow();
    expect(problems({}, { fleet: { instanceRefresh: true } }).join("\n")).toMatch(/fleet\.instanceRefresh.*received true/);
  });

  test("manual approval without a pipeline", () => {
    expectProblem({ pipeline: { enabled: false, manualApproval: true } }, "environments.staging.pipeline.manualApproval", "true", /while pipeline.enabled is false/);
  });

  test("an unknown source provider", () => {
    expectProblem({ pipeline: { source: { provider: "gitlab" } } }, "environments.staging.pipeline.source.provider", '"gitlab"', /one of "github", "bitbucket", "codecommit", "s3"/);
  });

  test("an empty branch name, and one git refuses", () => {
    expectProblem({ pipeline: { source: { ...GITHUB, branch: "" } } }, "environments.staging.pipeline.source.branch", '""', /non-empty git branch name/);
    expectProblem({ pipeline: { source: { ...GITHUB, branch: "feature..x" } } }, "environments.staging.pipeline.source.branch", '"feature..x"', /git branch name/);
  });

  test("git sources need a connection, an owner/name repository and a branch", () => {
    const lines = problems({ pipeline: { source: { provider: "github" } } });
    for (const field of ["connectionArn", "repository", "branch"]) {
      expect(lines).toContain(`environments.staging.pipeline.source.${field}: received nothing; allowed: a value, required for provider "github"`);
    }
    expectProblem({ pipeline: { source: { ...GITHUB, repository: "webapp" } } }, "environments.staging.pipeline.source.repository", '"webapp"', /owner\/name/);
  });

  test("a connection ARN of another service", () => {
    expectProblem({ pipeline: { source: { ...GITHUB, connectionArn: "arn:aws:iam::111122223333:role/x" } } }, "environments.staging.pipeline.source.connectionArn", '"arn:aws:iam', /CodeConnections ARN/);
  });

  test("settings of another provider", () => {
    expectProblem({ pipeline: { source: { provider: "s3", branch: "main" } } }, "environments.staging.pipeline.source.branch", '"main"', /nothing for provider "s3"/);
    expectProblem({ pipeline: { source: { provider: "codecommit", repository: "shop", branch: "main", connectionArn: GITHUB.connectionArn } } }, "environments.staging.pipeline.source.connectionArn", '"arn:', /nothing for provider "codecommit"/);
  });

  test("an S3 source key that is not a zip", () => {
    expectProblem({ pipeline: { source: { provider: "s3", objectKey: "releases/app.tar.gz" } } }, "environments.staging.pipeline.source.objectKey", '"releases/app.tar.gz"', /\.zip/);
  });

  test("build: a Docker tag with invalid characters, an unknown compute type", () => {
    expectProblem({ build: { imageTag: "prod/1" } }, "environments.staging.build.imageTag", '"prod/1"', /Docker tag/);
    expectProblem({ build: { computeType: "BUILD_GENERAL1_2XLARGE" } }, "environments.staging.build.computeType", '"BUILD_GENERAL1_2XLARGE"', /BUILD_GENERAL1_SMALL/);
  });
});
