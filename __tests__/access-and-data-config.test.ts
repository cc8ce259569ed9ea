import { parseConfig } from "../lib/config/load";
import { configProblems, expectProblemLine } from "./helpers/config";

/** A valid configuration with one dedicated environment that has data subnets. */
const base = () => ({
  app: { name: "webapp", region: "eu-west-1" },
  environments: { staging: { network: { cidr: "10.10.0.0/16", dataSubnets: true } } as Record<string, any> },
});

function problems(mutate: (env: Record<string, any>, config: any) => void): string[] {
  const config = base();
  mutate(config.environments.staging, config);
  return configProblems(config);
}

function expectProblem(mutate: (env: Record<string, any>, config: any) => void, path: string, received: string, allowed: RegExp): void {
  expectProblemLine(problems(mutate), `environments.staging.${path}`, received, allowed);
}

const CERT_US_EAST_1 = "arn:aws:acm:us-east-1:111122223333:certificate/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
const SHARED = {
  sharedLoadBalancer: { network: { cidr: "10.50.0.0/16" } },
  staging: { loadBalancer: { mode: "shared", hostName: "staging.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" } },
};

describe("access and data options: defaults", () => {
  test("every option is off, with documented defaults", () => {
    const env = parseConfig(base()).environments.staging;
    expect(env.bastion).toEqual({ enabled: false, sshIngressCidrs: [], ssm: true, instanceType: "t4g.nano", sshToFleet: false, rootVolumeSizeGiB: 8 });
    expect(env.database).toMatchObject({ enabled: false, engine: "postgres", instanceClass: "db.t4g.medium", allocatedStorageGiB: 20, backupRetentionDays: 7, performanceInsights: true, monitoringIntervalSeconds: 60 });
    expect(env.database.multiAz).toBeUndefined();
    expect(env.frontend).toEqual({ enabled: false, priceClass: "PriceClass_100", noncurrentVersionExpirationDays: 30 });
    expect(env.codedeployAgent).toEqual({ install: "ami", schedule: "cron(0 3 ? * SUN *)" });
  });

  test("a full configuration of every option is accepted", () => {
    expect(() =>
      parseConfig({
        ...base(),
        environments: {
          staging: {
            network: { cidr: "10.10.0.0/16", dataSubnets: true },
            bastion: { enabled: true, sshIngressCidrs: ["203.0.113.0/24", "2001:db8::/32"], ssm: false, sshToFleet: true },
            database: { enabled: true, engine: "mysql", engineVersion: "8.4", maxAllocatedStorageGiB: 200, multiAz: true, backupWindow: "03:00-04:00", maintenanceWindow: "sun:04:00-sun:05:00" },
            frontend: { enabled: true, domainName: "app.example.com", certificateArn: CERT_US_EAST_1, hostedZoneId: "Z0123456789ABCDEFGHIJ" },
            goldenAmi: { components: ["nodejs", "nginx"] },
            codedeployAgent: { install: "ssm-association", schedule: "rate(14 days)" },
          },
        },
      }),
    ).not.toThrow();
  });
});

describe("access and data options: validation", () => {
  test("a bastion with neither SSH CIDRs nor Session Manager", () => {
    expectProblem((env) => (env.bastion = { enabled: true, ssm: false }), "bastion.sshIngressCidrs", "[]", /at least one CIDR while bastion\.ssm is false/);
  });

  test("SSH to the bastion from the whole internet", () => {
    expectProblem((env) => (env.bastion = { enabled: true, sshIngressCidrs: ["0.0.0.0/0"] }), "bastion.sshIngressCidrs", '["0.0.0.0/0"]', /SSH from the whole internet \(\/0\) is not allowed/);
    expectProblem((env) => (env.bastion = { enabled: true, sshIngressCidrs: ["::/0"] }), "bastion.sshIngressCidrs", '["::/0"]', /none of them \/0|not allowed/);
  });

  test("a malformed SSH public key", () => {
    expectProblem((env) => (env.bastion = { enabled: true, publicKey: "not a key" }), "bastion.publicKey", '"not a key"', /one OpenSSH public key line .* RSA keys with at least 2048 bits/);
  });

  test("bastion and database in shared load balancer mode", () => {
    const lines = problems((env, config) => {
      delete env.network;
      Object.assign(env, SHARED.staging, { bastion: { enabled: true }, database: { enabled: true } });
      config.sharedLoadBalancer = SHARED.sharedLoadBalancer;
    });
    expect(lines).toContainEqual(expect.stringMatching(/^environments\.staging\.bastion\.enabled: received true; allowed: false in shared load balancer mode/));
    expect(lines).toContainEqual(expect.stringMatching(/^environments\.staging\.database\.enabled: received true; allowed: false in shared load balancer mode/));
  });

  test("a database without data subnets", () => {
    expectProblem(
      (env) => {
        env.network.dataSubnets = false;
        env.database = { enabled: true };
      },
      "network.dataSubnets",
      "false",
      /true while database\.enabled is true: the database runs in the isolated data subnets/,
    );
  });

  test("an engine version of the other engine, or none RDS offers", () => {
    expectProblem((env) => (env.database = { enabled: true, engine: "mysql", engineVersion: "16" }), "database.engineVersion", '"16"', /a MySQL version 8\.0 or 8\.4/);
    expectProblem((env) => (env.database = { enabled: true, engineVersion: "9.6" }), "database.engineVersion", '"9.6"', /a PostgreSQL major version from 13 to 19/);
  });

  test("a storage autoscaling limit not above the initial storage", () => {
    expectProblem((env) => (env.database = { enabled: true, allocatedStorageGiB: 100, maxAllocatedStorageGiB: 50 }), "database.maxAllocatedStorageGiB", "50", /more than database\.allocatedStorageGiB \(100\)/);
  });

  test("Performance Insights on a MySQL class that does not support it", () => {
    expectProblem((env) => (env.database = { enabled: true, engine: "mysql", instanceClass: "db.t4g.micro" }), "database.performanceInsights", "true", /false for db\.t4g\.micro/);
  });

  test("malformed database fields: instance class, windows, monitoring interval, user names", () => {
    expectProblem((env) => (env.database = { enabled: true, instanceClass: "t4g.medium" }), "database.instanceClass", '"t4g.medium"', /an RDS instance class such as db\.t4g\.medium/);
    expectProblem((env) => (env.database = { enabled: true, backupWindow: "3-4" }), "database.backupWindow", '"3-4"', /hh:mm-hh:mm/);
    expectProblem((env) => (env.database = { enabled: true, maintenanceWindow: "sunday 4am" }), "database.maintenanceWindow", '"sunday 4am"', /ddd:hh:mm-ddd:hh:mm/);
    expectProblem((env) => (env.database = { enabled: true, monitoringIntervalSeconds: 20 }), "database.monitoringIntervalSeconds", "20", /one of 0, 1, 5, 10, 15, 30, 60/);
    expectProblem((env) => (env.database = { enabled: true, masterUsername: "1admin" }), "database.masterUsername", '"1admin"', /starting with a letter/);
  });

  test("a front end domain without certificate, or a zone without a domain", () => {
    expectProblem((env) => (env.frontend = { enabled: true, domainName: "app.example.com" }), "frontend.certificateArn", "nothing", /an ACM certificate in us-east-1, required for frontend\.domainName/);
    expectProblem((env) => (env.frontend = { enabled: true, hostedZoneId: "Z0123456789ABCDEFGHIJ" }), "frontend.domainName", "nothing", /required for the alias records/);
    expectProblem((env) => (env.frontend = { enabled: true, certificateArn: CERT_US_EAST_1 }), "frontend.domainName", "nothing", /a domain name the certificate covers/);
  });

  test("a front end certificate outside us-east-1", () => {
    const arn = "arn:aws:acm:eu-west-1:111122223333:certificate/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
    expectProblem((env) => (env.frontend = { enabled: true, domainName: "app.example.com", certificateArn: arn }), "frontend.certificateArn", JSON.stringify(arn), /a certificate in us-east-1/);
  });

  test("the association and a golden AMI that still bakes the agent", () => {
    expectProblem(
      (env) => (env.codedeployAgent = { install: "ssm-association" }),
      "goldenAmi.components",
      '["codedeploy-agent","cloudwatch-agent","docker","nodejs","nginx"]',
      /a list without "codedeploy-agent" while codedeployAgent\.install is "ssm-association"/,
    );
  });

  test("the agent left to the image while the image's components leave it out", () => {
    expectProblem(
      (env) => (env.goldenAmi = { components: ["cloudwatch-agent", "nodejs", "nginx"] }),
      "codedeployAgent.install",
      '"ami"',
      /"ssm-association" while goldenAmi\.components leaves out "codedeploy-agent": nothing else installs the agent/,
    );
  });

  test("an association schedule that is neither cron nor rate in days", () => {
    expectProblem((env) => (env.codedeployAgent = { install: "ssm-association", schedule: "weekly" }), "codedeployAgent.schedule", '"weekly"', /a cron expression with six fields .* or rate\(<n> days\)/);
    expectProblem((env) => (env.codedeployAgent = { install: "ami", schedule: "cron(0 3 * * SUN *)" }), "codedeployAgent.schedule", '"cron(0 3 * * SUN *)"', /exactly one of day-of-month and day-of-week must be \?/);
  });

  test("all problems at once", () => {
    const lines = problems((env) => {
      env.network.dataSubnets = false;
      env.bastion = { enabled: true, ssm: false };
      env.database = { enabled: true };
      env.frontend = { enabled: true, domainName: "app.example.com" };
      env.codedeployAgent = { install: "ssm-association" };
    });
    expect(lines.map((l) => l.split(":")[0]).sort()).toEqual([
      "environments.staging.bastion.sshIngressCidrs",
      "environments.staging.frontend.certificateArn",
      "environments.staging.goldenAmi.components",
      "environments.staging.network.dataSubnets",
    ]);
  });
});
