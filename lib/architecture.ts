/**
 * An architecture picture of each synthesized stack (`cdktf.out/stacks/<stack>/architecture.svg`),
 * drawn from the stack's synthesized Terraform (the JSON cdktf writes, `stack.toTerraform()`):
 * every node is a resource of the stack (or a group of them, such as the subnets of one tier),
 * every edge a reference between resources or a security group rule. Nothing is drawn from the
 * configuration, so the picture shows what Terraform will create. Layout is Graphviz `dot`,
 * compiled to WebAssembly (@viz-js/viz), loaded once per process.
 *
 * Every node of the SVG is a `<g class="node <kind>...">` whose `<title>` (a browser's tooltip) is
 * the Terraform address; the kinds are listed in {@link NodeKind}.
 */
import * as fs from "fs";
import * as path from "path";
import type { Viz } from "@viz-js/viz";
import { block, blocks, StackView, strings, TfResource } from "../policy/terraform";

/** File name of the picture, next to the stack's cdk.tf.json / cdk.tf. */
export const ARCHITECTURE_FILE = "architecture.svg";

/** What a node stands for; the SVG class of the node (tests and readers select on it). */
export type NodeKind =
  | "users"
  | "operators"
  | "dns-record"
  | "cloudfront"
  | "alb"
  | "nlb"
  | "shared-alb"
  | "host-rule"
  | "path-rule"
  | "listener-rule"
  | "target-group"
  | "internet-gateway"
  | "nat-gateway"
  | "subnets"
  | "asg"
  | "launch-template"
  | "ec2-instance"
  | "bastion"
  | "ecs-cluster"
  | "ecs-service"
  | "lambda"
  | "rds"
  | "s3-bucket"
  | "static-frontend"
  | "ecr-repository"
  | "pipeline-source"
  | "pipeline-build"
  | "pipeline-approval"
  | "pipeline-deploy"
  | "codedeploy"
  | "image-recipe"
  | "golden-ami"
  | "image-pipeline"
  | "alarm"
  | "sns-topic"
  | "others";

export interface ArchitectureNode {
  /** Graphviz node name: the Terraform address (or a derived one for groups); the SVG `<title>`. */
  readonly id: string;
  /** First kind is the main one; all are classes of the SVG node. */
  readonly kinds: readonly NodeKind[];
  /** Role of the resource, in words ("Application Load Balancer"). */
  readonly title: string;
  /** Facts from its arguments (ports, sizes, names), one per line. */
  readonly details: readonly string[];
  /** Shown in small text: the Terraform address (or addresses) the node stands for. */
  readonly address: string;
  /** Cluster the node is drawn in. */
  readonly cluster?: string;
}

export interface ArchitectureEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  /** Secondary relations (logs, notifications, artifacts) are dashed and do not shape the layout. */
  readonly secondary?: boolean;
}

export interface ArchitectureCluster {
  readonly id: string;
  readonly label: string;
  readonly parent?: string;
  readonly style: "vpc" | "tier" | "group";
}

export interface Architecture {
  readonly stack: string;
  readonly nodes: ArchitectureNode[];
  readonly edges: ArchitectureEdge[];
  readonly clusters: ArchitectureCluster[];
}

const SG_TYPES = ["aws_security_group", "aws_default_security_group"];
const LB_TYPES = ["aws_lb", "aws_alb"];
const LISTENER_TYPES = ["aws_lb_listener", "aws_alb_listener"];
const RULE_TYPES = ["aws_lb_listener_rule", "aws_alb_listener_rule"];
const TG_TYPES = ["aws_lb_target_group", "aws_alb_target_group"];

/** Resources folded into the node of the resource they configure (not listed under "also in this stack"). */
const FOLDED_INTO_OWNER = [
  "aws_s3_bucket_lifecycle_configuration",
  "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_policy",
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_versioning",
  "aws_s3_bucket_notification",
  "aws_ecr_lifecycle_policy",
  "aws_sns_topic_policy",
  "aws_sns_topic_subscription",
  "aws_cloudfront_origin_access_control",
  "aws_db_subnet_group",
  "aws_db_parameter_group",
  "aws_ecs_task_definition",
  "aws_ecs_capacity_provider",
  "aws_ecs_cluster_capacity_providers",
  "aws_imagebuilder_component",
  "aws_codebuild_project",
  "aws_codedeploy_app",
  "aws_autoscaling_notification",
  ...LISTENER_TYPES,
];

/** The architecture of one synthesized stack (`json` as cdktf writes it). Pure and deterministic. */
export function architectureOf(json: Record<string, any>, stackName: string): Architecture {
  return new ArchitectureBuilder(json, stackName).build();
}

class ArchitectureBuilder {
  private readonly nodes = new Map<string, ArchitectureNode>();
  private readonly edges: ArchitectureEdge[] = [];
  private readonly clusters = new Map<string, ArchitectureCluster>();
  /** Addresses drawn as (or folded into) a node. */
  private readonly drawn = new Set<string>();
  /** Cluster (subnet tier) of each subnet address, and of each remote-state subnet output. */
  private readonly tierOfSubnet = new Map<string, string>();

  private readonly stack: StackView;

  constructor(
    private readonly json: Record<string, any>,
    private readonly stackName: string,
  ) {
    this.stack = new StackView(json);
  }

  public build(): Architecture {
    this.network();
    this.entry();
    this.compute();
    this.data();
    this.delivery();
    this.operations();
    this.securityGroupEdges();
    this.users();
    this.others();
    const nodes = [...this.nodes.values()];
    const ids = new Set(nodes.map((n) => n.id));
    const seen = new Set<string>();
    const edges = this.edges.filter((e) => {
      const key = `${e.from}\u0000${e.to}`;
      if (e.from === e.to || !ids.has(e.from) || !ids.has(e.to) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    // Clusters without nodes (directly or below) are dropped: Graphviz would not draw them anyway.
    const used = new Set<string>();
    for (const n of nodes) for (let c = n.cluster; c; c = this.clusters.get(c)?.parent) used.add(c);
    return { stack: this.stackName, nodes, edges, clusters: [...this.clusters.values()].filter((c) => used.has(c.id)) };
  }

  // ---------------------------------------------------------------- network

  private network(): void {
    for (const vpc of this.stack.resources("aws_vpc")) {
      const vpcCluster = `cluster_${vpc.address}`;
      this.cluster({ id: vpcCluster, label: label2(`VPC ${text(vpc.values.cidr_block)}`, vpc.address), style: "vpc" });
      this.drawn.add(vpc.address);
      const subnets = this.stack.resources("aws_subnet").filter((s) => this.stack.refs(s.values.vpc_id, "aws_vpc").includes(vpc));
      const tiers = new Map<string, TfResource[]>();
      for (const subnet of subnets) {
        const tier = typeof subnet.values.tags?.Tier === "string" ? subnet.values.tags.Tier : subnet.values.map_public_ip_on_launch === true ? "public" : "subnets";
        tiers.set(tier, [...(tiers.get(tier) ?? []), subnet]);
      }
      for (const tier of sortTiers([...tiers.keys()])) {
        const members = tiers.get(tier)!;
        const id = `${vpcCluster}_${tier}`;
        this.cluster({ id, label: tierLabel(tier), parent: vpcCluster, style: "tier" });
        for (const s of members) {
          this.tierOfSubnet.set(s.address, id);
          this.drawn.add(s.address);
        }
        this.node({
          id: `${vpc.address}/${tier}-subnets`,
          kinds: ["subnets"],
          title: `${members.length} subnet${members.length === 1 ? "" : "s"}`,
          details: [members.map((s) => text(s.values.cidr_block)).join(", ")],
          address: compactAddresses(members.map((s) => s.address)),
          cluster: id,
        });
      }
      for (const igw of this.stack.resources("aws_internet_gateway").filter((g) => this.stack.refs(g.values.vpc_id).includes(vpc))) {
        this.node({ id: igw.address, kinds: ["internet-gateway"], title: "Internet gateway", details: [], address: igw.address, cluster: vpcCluster });
      }
    }
    for (const nat of this.stack.resources("aws_nat_gateway")) {
      this.node({ id: nat.address, kinds: ["nat-gateway"], title: "NAT gateway", details: [], address: nat.address, cluster: this.placement(nat) });
      const vpc = this.vpcOf(nat);
      for (const igw of this.stack.resources("aws_internet_gateway").filter((g) => this.stack.refs(g.values.vpc_id).some((v) => v.address === vpc))) {
        this.edge(nat.address, igw.address, "egress", true);
      }
    }
  }

  private vpcOf(resource: TfResource): string {
    const subnet = this.stack.refs(resource.values, "aws_subnet")[0];
    return subnet ? (this.stack.refs(subnet.values.vpc_id, "aws_vpc")[0]?.address ?? "") : "";
  }

  /**
   * The subnet tier a resource runs in: from the subnets its arguments reference (directly, or
   * through a DB subnet group), or a cluster for subnets read from another stack's remote state.
   */
  private placement(resource: TfResource): string | undefined {
    const via = [resource, ...this.stack.refs(resource.values, "aws_db_subnet_group")];
    for (const r of via) {
      for (const subnet of this.stack.refs(r.values, "aws_subnet")) {
        const tier = this.tierOfSubnet.get(subnet.address);
        if (tier) return tier;
      }
    }
    for (const r of via) {
      const remote = remoteOutputs(r.values).find((o) => /subnet/.test(o.output));
      if (remote) return this.remoteTier(remote.state, remote.output);
    }
    // In a VPC, no subnet in particular (a target group).
    const vpc = this.stack.refs(resource.values.vpc_id, "aws_vpc")[0];
    if (vpc) return `cluster_${vpc.address}`;
    const remoteVpc = remoteOutputs(resource.values.vpc_id)[0];
    return remoteVpc ? this.remoteVpc(remoteVpc.state) : undefined;
  }

  /** A cluster for the network of another stack, read through `terraform_remote_state`. */
  private remoteVpc(state: string): string {
    const id = `cluster_${state}`;
    this.cluster({ id, label: label2("VPC of another stack", `${state} (remote state)`), style: "vpc" });
    return id;
  }

  private remoteTier(state: string, output: string): string {
    const tier = /^([a-z]+)_subnet/.exec(output)?.[1] ?? "subnets";
    const id = `${this.remoteVpc(state)}_${tier}`;
    this.cluster({ id, label: tierLabel(tier), parent: `cluster_${state}`, style: "tier" });
    return id;
  }

  // ---------------------------------------------------------------- entry: DNS, CloudFront, load balancers

  private entry(): void {
    for (const lb of this.stack.resources(...LB_TYPES)) {
      const type = lb.values.load_balancer_type ?? "application";
      const listeners = this.stack.resources(...LISTENER_TYPES).filter((l) => this.stack.refs(l.values.load_balancer_arn).includes(lb));
      listeners.forEach((l) => this.drawn.add(l.address));
      this.node({
        id: lb.address,
        kinds: [type === "network" ? "nlb" : "alb"],
        title: type === "network" ? "Network Load Balancer" : "Application Load Balancer",
        details: [lb.values.internal === true ? "internal" : "internet-facing", listeners.map(listenerLabel).join(", ")].filter(Boolean),
        address: lb.address,
        cluster: this.placement(lb),
      });
      for (const listener of listeners) {
        for (const tg of this.stack.refs(listener.values.default_action, ...TG_TYPES)) this.edge(lb.address, tg.address, listenerLabel(listener));
      }
      for (const bucket of this.stack.refs(lb.values.access_logs, "aws_s3_bucket")) this.edge(lb.address, bucket.address, "access logs", true);
    }

    for (const rule of this.stack.resources(...RULE_TYPES)) {
      const conditions = blocks(rule.values.condition);
      const hosts = conditions.flatMap((c) => strings(block(c.host_header).values));
      const paths = conditions.flatMap((c) => strings(block(c.path_pattern).values));
      const headers = conditions.flatMap((c) => strings(block(c.http_header).http_header_name));
      const kind: NodeKind = hosts.length > 0 ? "host-rule" : paths.length > 0 ? "path-rule" : "listener-rule";
      const local = this.stack.refs(rule.values.listener_arn, ...LISTENER_TYPES)[0];
      const remote = remoteOutputs(rule.values.listener_arn)[0];
      const shared = !local && remote !== undefined;
      this.node({
        id: rule.address,
        kinds: [kind],
        title: `${shared ? "Host rule on the shared load balancer" : kind === "host-rule" ? "Listener rule (host)" : kind === "path-rule" ? "Listener rule (path)" : "Listener rule"}`,
        details: [...hosts.map((h) => `host ${h}`), ...paths.map((p) => `path ${p}`), ...headers.map((h) => `header ${h}`), rule.values.priority !== undefined ? `priority ${text(rule.values.priority)}` : ""].filter(Boolean),
        address: rule.address,
        cluster: local ? this.nodes.get(this.stack.refs(local.values.load_balancer_arn)[0]?.address ?? "")?.cluster : undefined,
      });
      if (local) {
        for (const lb of this.stack.refs(local.values.load_balancer_arn, ...LB_TYPES)) this.edge(lb.address, rule.address, listenerLabel(local));
      } else if (remote) {
        const id = `data.terraform_remote_state.${remote.state}`;
        this.node({
          id,
          kinds: ["shared-alb"],
          title: "Shared Application Load Balancer",
          details: ["another stack, read through remote state"],
          address: `${id}.outputs.${remote.output}`,
          cluster: this.remoteVpc(remote.state),
        });
        this.edge(id, rule.address, /https/i.test(remote.output) ? "HTTPS" : undefined);
      }
      for (const tg of this.stack.refs(rule.values.action, ...TG_TYPES)) this.edge(rule.address, tg.address);
    }

    for (const tg of this.stack.resources(...TG_TYPES)) {
      const health = block(tg.values.health_check);
      this.node({
        id: tg.address,
        kinds: ["target-group"],
        title: "Target group",
        details: [
          [text(tg.values.protocol), tg.values.port !== undefined ? `:${text(tg.values.port)}` : "", tg.values.target_type ? ` (${text(tg.values.target_type)})` : ""].join(""),
          health.path ? `health ${text(health.path)}` : "",
        ].filter(Boolean),
        address: tg.address,
        cluster: this.placement(tg),
      });
    }

    for (const cdn of this.stack.resources("aws_cloudfront_distribution")) {
      this.node({
        id: cdn.address,
        kinds: ["cloudfront"],
        title: "CloudFront distribution",
        details: [strings(cdn.values.aliases).join(", "), block(cdn.values.viewer_certificate).acm_certificate_arn ? "HTTPS (ACM certificate)" : ""].filter(Boolean),
        address: cdn.address,
      });
      for (const origin of blocks(cdn.values.origin)) {
        for (const target of this.stack.refs(origin, ...LB_TYPES, "aws_s3_bucket")) this.edge(cdn.address, target.address, "origin");
        // An origin by DNS name: the stack's record of that name (which points on, to a load balancer).
        for (const record of this.stack.resources("aws_route53_record").filter((r) => typeof origin.domain_name === "string" && r.values.name === origin.domain_name)) {
          this.edge(cdn.address, record.address, "origin");
        }
      }
    }

    for (const record of this.stack.resources("aws_route53_record")) {
      const targets = this.stack.refs([record.values.alias, record.values.records], ...LB_TYPES, "aws_cloudfront_distribution", "aws_eip", "aws_instance");
      const remote = remoteOutputs(record.values.alias).find((o) => /dns|load_balancer|alb/.test(o.output));
      if (targets.length === 0 && !remote) continue; // certificate validation and other records: listed with the others
      this.node({
        id: record.address,
        kinds: ["dns-record"],
        title: "DNS record (Route 53)",
        details: [`${text(record.values.name)} ${text(record.values.type)}${record.values.alias ? " alias" : ""}`],
        address: record.address,
      });
      for (const target of targets) this.edge(record.address, target.type === "aws_eip" ? this.eipInstance(target) : target.address);
      if (remote && targets.length === 0) this.edge(record.address, `data.terraform_remote_state.${remote.state}`);
    }
  }

  private eipInstance(eip: TfResource): string {
    const association = this.stack.resources("aws_eip_association").find((a) => this.stack.refs(a.values.allocation_id).includes(eip));
    const instance = association ? this.stack.refs(association.values.instance_id, "aws_instance")[0] : this.stack.refs(eip.values.instance, "aws_instance")[0];
    if (association) this.drawn.add(association.address);
    if (instance) this.drawn.add(eip.address);
    return instance?.address ?? eip.address;
  }

  // ---------------------------------------------------------------- compute

  private compute(): void {
    const deploymentGroups = this.stack.resources("aws_codedeploy_deployment_group");
    const capacityAsgs = new Map<string, TfResource>();
    for (const provider of this.stack.resources("aws_ecs_capacity_provider")) {
      for (const asg of this.stack.refs(provider.values.auto_scaling_group_provider, "aws_autoscaling_group")) capacityAsgs.set(asg.address, provider);
    }

    for (const asg of this.stack.resources("aws_autoscaling_group")) {
      const templates = this.stack.refs([asg.values.launch_template, asg.values.mixed_instances_policy], "aws_launch_template");
      const groups = deploymentGroups.filter((g) => this.deploysTo(g, asg));
      const style = groups.map((g) => block(g.values.deployment_style).deployment_type).find(Boolean);
      const role = capacityAsgs.has(asg.address) ? "ECS capacity" : style === "BLUE_GREEN" ? "blue/green" : style === "IN_PLACE" ? "in place" : "";
      const cluster = this.placement(asg);
      this.node({
        id: asg.address,
        kinds: ["asg"],
        title: `Auto Scaling group${role ? ` (${role})` : ""}`,
        details: [`min ${text(asg.values.min_size)} · max ${text(asg.values.max_size)}`, templates.map((t) => text(t.values.instance_type)).filter((t) => t !== "?").join(", ")].filter(Boolean),
        address: asg.address,
        cluster,
      });
      for (const tg of this.stack.refs(asg.values.target_group_arns, ...TG_TYPES)) this.edge(tg.address, asg.address);
      for (const template of templates) {
        this.node({
          id: template.address,
          kinds: ["launch-template"],
          title: "Launch template",
          details: [text(template.values.instance_type), block(template.values.metadata_options).http_tokens === "required" ? "IMDSv2 only" : ""].filter((d) => d && d !== "?"),
          address: template.address,
          cluster,
        });
        this.edge(asg.address, template.address, "launches");
      }
      for (const notification of this.stack.resources("aws_autoscaling_notification").filter((n) => this.stack.refs(n.values.group_names).includes(asg))) {
        for (const topic of this.stack.refs(notification.values.topic_arn, "aws_sns_topic")) this.edge(asg.address, topic.address, "scaling events", true);
      }
    }

    for (const cluster of this.stack.resources("aws_ecs_cluster")) {
      const asgs = this.stack
        .resources("aws_ecs_cluster_capacity_providers")
        .filter((c) => this.stack.refs(c.values.cluster_name).includes(cluster))
        .flatMap((c) => this.stack.resources("aws_ecs_capacity_provider").filter((p) => strings(c.values.capacity_providers).some((n) => this.stack.refs(n).includes(p))))
        .flatMap((p) => this.stack.refs(p.values.auto_scaling_group_provider, "aws_autoscaling_group"));
      this.node({
        id: cluster.address,
        kinds: ["ecs-cluster"],
        title: "ECS cluster",
        details: [text(cluster.values.name)],
        address: cluster.address,
        cluster: asgs.map((a) => this.nodes.get(a.address)?.cluster).find(Boolean),
      });
      for (const asg of asgs) this.edge(asg.address, cluster.address, "capacity");
    }

    for (const service of this.stack.resources("aws_ecs_service")) {
      const task = this.stack.refs(service.values.task_definition, "aws_ecs_task_definition")[0];
      const ecsCluster = this.stack.refs(service.values.cluster, "aws_ecs_cluster")[0];
      this.node({
        id: service.address,
        kinds: ["ecs-service"],
        title: "ECS service",
        details: [text(service.values.name), task ? `task ${text(task.values.network_mode)}${task.values.cpu ? ` · cpu ${text(task.values.cpu)}` : ""}${task.values.memory ? ` · ${text(task.values.memory)} MiB` : ""}` : ""].filter(Boolean),
        address: service.address,
        cluster: this.placement(service) ?? (ecsCluster ? this.nodes.get(ecsCluster.address)?.cluster : undefined),
      });
      for (const tg of this.stack.refs(service.values.load_balancer, ...TG_TYPES)) this.edge(tg.address, service.address);
      if (ecsCluster) this.edge(service.address, ecsCluster.address, "runs on", true);
    }

    for (const instance of this.stack.resources("aws_instance")) {
      const bastion = this.isBastion(instance);
      this.node({
        id: instance.address,
        kinds: [bastion ? "bastion" : "ec2-instance"],
        title: bastion ? "Bastion host (EC2)" : "EC2 instance",
        details: [text(instance.values.instance_type), typeof instance.values.tags?.Name === "string" ? instance.values.tags.Name : ""].filter((d) => d && d !== "?"),
        address: instance.address,
        cluster: this.placement(instance),
      });
    }
    for (const attachment of this.stack.resources("aws_lb_target_group_attachment")) {
      for (const tg of this.stack.refs(attachment.values.target_group_arn, ...TG_TYPES)) {
        for (const instance of this.stack.refs(attachment.values.target_id, "aws_instance", "aws_lambda_function")) this.edge(tg.address, instance.address);
      }
      this.drawn.add(attachment.address);
    }

    for (const fn of this.stack.resources("aws_lambda_function")) {
      this.node({
        id: fn.address,
        kinds: ["lambda"],
        title: "Lambda function",
        details: [text(fn.values.function_name), text(fn.values.runtime)].filter((d) => d !== "?"),
        address: fn.address,
        cluster: this.placement(fn),
      });
    }
  }

  /** A deployment group deploys to an Auto Scaling group it references or names. */
  private deploysTo(group: TfResource, asg: TfResource): boolean {
    if (this.stack.refs(group.values.autoscaling_groups).includes(asg)) return true;
    const name = asg.values.name;
    return typeof name === "string" && !name.includes("${") && strings(group.values.autoscaling_groups).some((g) => g.includes(`"${name}"`) || g === name);
  }

  /**
   * A bastion: an instance nothing routes traffic to (no load balancer, address or DNS record) whose
   * security groups admit SSH at most.
   */
  private isBastion(instance: TfResource): boolean {
    const reached =
      this.stack.resources("aws_lb_target_group_attachment").some((a) => this.stack.refs(a.values.target_id).includes(instance)) ||
      this.stack.resources("aws_eip_association").some((a) => this.stack.refs(a.values.instance_id).includes(instance)) ||
      this.stack.resources("aws_eip").some((e) => this.stack.refs(e.values.instance).includes(instance)) ||
      this.stack.resources("aws_route53_record").some((r) => this.stack.refs(r.values.records).includes(instance));
    if (reached) return false;
    const groups = this.stack.refs([instance.values.vpc_security_group_ids, instance.values.security_groups], ...SG_TYPES);
    const ports = this.ingressRules()
      .filter((r) => groups.includes(r.target))
      .map((r) => r.port);
    return ports.every((p) => p === "22");
  }

  // ---------------------------------------------------------------- data

  private data(): void {
    for (const db of this.stack.resources("aws_db_instance")) {
      this.node({
        id: db.address,
        kinds: ["rds"],
        title: "RDS database",
        details: [
          `${text(db.values.engine)} ${db.values.engine_version !== undefined ? text(db.values.engine_version) : ""}`.trim(),
          [text(db.values.instance_class), db.values.multi_az === true ? "Multi-AZ" : "single-AZ", db.values.storage_encrypted === true ? "encrypted" : ""].filter(Boolean).join(" · "),
        ],
        address: db.address,
        cluster: this.placement(db),
      });
    }
  }

  // ---------------------------------------------------------------- delivery: buckets, registries, pipelines, golden AMI

  private delivery(): void {
    const pipelines = this.stack.resources("aws_codepipeline");
    const cdnOrigins = new Set(this.stack.resources("aws_cloudfront_distribution").flatMap((d) => this.stack.refs(d.values.origin, "aws_s3_bucket").map((b) => b.address)));
    const artifactStores = new Set(pipelines.flatMap((p) => this.stack.refs(p.values.artifact_store, "aws_s3_bucket").map((b) => b.address)));
    const logBuckets = new Set(this.stack.resources(...LB_TYPES, "aws_cloudfront_distribution").flatMap((r) => this.stack.refs([r.values.access_logs, r.values.logging_config], "aws_s3_bucket").map((b) => b.address)));
    for (const bucket of this.stack.resources("aws_s3_bucket")) {
      const frontEnd = cdnOrigins.has(bucket.address);
      const role = frontEnd ? "static front end" : artifactStores.has(bucket.address) ? "release artifacts" : logBuckets.has(bucket.address) ? "access logs" : "";
      this.node({
        id: bucket.address,
        kinds: frontEnd ? ["s3-bucket", "static-frontend"] : ["s3-bucket"],
        title: `S3 bucket${role ? ` (${role})` : ""}`,
        details: [bucket.values.bucket !== undefined ? text(bucket.values.bucket) : bucket.values.bucket_prefix !== undefined ? `${text(bucket.values.bucket_prefix)}…` : ""].filter((d) => d && !d.startsWith("?")),
        address: bucket.address,
      });
    }
    for (const repository of this.stack.resources("aws_ecr_repository")) {
      this.node({
        id: repository.address,
        kinds: ["ecr-repository"],
        title: "ECR repository",
        details: [text(repository.values.name), repository.values.image_tag_mutability === "IMMUTABLE" ? "immutable tags" : ""].filter((d) => d && d !== "?"),
        address: repository.address,
      });
    }

    for (const pipeline of pipelines) {
      const cluster = `cluster_${pipeline.address}`;
      this.cluster({ id: cluster, label: label2(`CodePipeline ${text(pipeline.values.name)}`, pipeline.address), style: "group" });
      this.drawn.add(pipeline.address);
      let previous: string | undefined;
      blocks(pipeline.values.stage).forEach((stage, index) => {
        const actions = blocks(stage.action);
        const id = `${pipeline.address}/stage-${index + 1}-${text(stage.name)}`;
        this.node({ id, kinds: [stageKind(stage)], title: `${index + 1}. ${text(stage.name)}`, details: actions.map((a) => actionLabel(a, this.stack)), address: pipeline.address, cluster });
        if (previous) this.edge(previous, id);
        previous = id;
        for (const action of actions) this.actionEdges(id, action, cluster);
        if (index === 0) for (const bucket of this.stack.refs(pipeline.values.artifact_store, "aws_s3_bucket")) this.edge(id, bucket.address, "artifacts", true);
      });
    }

    const recipes = this.stack.resources("aws_imagebuilder_image_recipe");
    if (recipes.length > 0) this.cluster({ id: "cluster_image_builder", label: label2("EC2 Image Builder", "golden AMI"), style: "group" });
    for (const recipe of recipes) {
      this.node({
        id: recipe.address,
        kinds: ["image-recipe"],
        title: "Image recipe",
        details: [`${blocks(recipe.values.component).length} components`, text(recipe.values.name)].filter((d) => d !== "?"),
        address: recipe.address,
        cluster: "cluster_image_builder",
      });
    }
    for (const image of this.stack.resources("aws_imagebuilder_image")) {
      this.node({ id: image.address, kinds: ["golden-ami"], title: "Golden AMI (image build)", details: [], address: image.address, cluster: "cluster_image_builder" });
      for (const recipe of this.stack.refs(image.values.image_recipe_arn, "aws_imagebuilder_image_recipe")) this.edge(recipe.address, image.address, "builds");
      // The AMI reaches launch templates directly or through an SSM parameter (`resolve:ssm:<name>`).
      const parameters = this.stack.resources("aws_ssm_parameter").filter((p) => this.stack.refs([p.values.value, p.values.insecure_value]).includes(image));
      for (const template of this.stack.resources("aws_launch_template")) {
        const imageId = template.values.image_id;
        // With a mixed instances policy the template names the AMI ID read at plan time (data.aws_ssm_parameter).
        const readAtPlan = this.stack.refs(imageId, "data.aws_ssm_parameter").flatMap((d) => this.stack.refs(d.values.name, "aws_ssm_parameter"));
        const viaParameter = typeof imageId === "string" && parameters.some((p) => imageId === `resolve:ssm:${p.values.name}` || this.stack.refs(imageId).includes(p) || readAtPlan.includes(p));
        if (viaParameter || this.stack.refs(imageId).includes(image)) this.edge(image.address, template.address, viaParameter ? "AMI (SSM parameter)" : "AMI", true);
      }
    }
    for (const imagePipeline of this.stack.resources("aws_imagebuilder_image_pipeline")) {
      const schedule = block(imagePipeline.values.schedule).schedule_expression;
      this.node({
        id: imagePipeline.address,
        kinds: ["image-pipeline"],
        title: "Image pipeline",
        details: [schedule ? `schedule ${text(schedule)}` : "on demand"],
        address: imagePipeline.address,
        cluster: "cluster_image_builder",
      });
      for (const recipe of this.stack.refs(imagePipeline.values.image_recipe_arn, "aws_imagebuilder_image_recipe")) this.edge(recipe.address, imagePipeline.address, "rebuilds");
    }
  }

  /** Edges from a pipeline stage to what its action acts on (through CodeBuild projects and CodeDeploy groups). */
  private actionEdges(stageId: string, action: Record<string, any>, cluster: string): void {
    for (const project of this.stack.refs(action.configuration, "aws_codebuild_project")) {
      for (const repository of this.stack.refs(project.values, "aws_ecr_repository")) this.edge(stageId, repository.address, "pushes image");
      // A project that deploys an ECS service names it, or the task definition it revises (directly
      // or through the SSM parameter that holds its ARN).
      const parameters = this.stack.refs(project.values, "aws_ssm_parameter");
      const tasks = this.stack.refs([project.values, parameters.map((p) => p.values.value)], "aws_ecs_task_definition");
      const services = this.stack.resources("aws_ecs_service").filter((svc) => this.stack.refs(project.values).includes(svc) || this.stack.refs(svc.values.task_definition).some((t) => tasks.includes(t)));
      for (const service of services) this.edge(stageId, service.address, "deploys");
    }
    for (const group of this.stack.refs(action.configuration, "aws_codedeploy_deployment_group")) {
      const style = block(group.values.deployment_style).deployment_type;
      this.node({
        id: group.address,
        kinds: ["codedeploy"],
        title: "CodeDeploy deployment group",
        details: [style === "BLUE_GREEN" ? "blue/green" : style === "IN_PLACE" ? "in place" : "", block(group.values.auto_rollback_configuration).enabled === true ? "rollback on alarm" : ""].filter(Boolean),
        address: group.address,
        cluster,
      });
      this.edge(stageId, group.address, "deploys");
      for (const asg of this.stack.resources("aws_autoscaling_group").filter((a) => this.deploysTo(group, a))) this.edge(group.address, asg.address, "deploys");
    }
  }

  // ---------------------------------------------------------------- operations: alarms and topics

  private operations(): void {
    const alarms = this.stack.resources("aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm");
    if (alarms.length > 0) this.cluster({ id: "cluster_alarms", label: label2("CloudWatch alarms", `${alarms.length} alarm${alarms.length === 1 ? "" : "s"}`), style: "group" });
    for (const alarm of alarms) {
      const threshold = alarm.values.threshold !== undefined ? `${comparison(alarm.values.comparison_operator)} ${text(alarm.values.threshold)}` : "";
      this.node({
        id: alarm.address,
        kinds: ["alarm"],
        title: "Alarm",
        details: [`${alarm.values.metric_name !== undefined ? text(alarm.values.metric_name) : "metric math"} ${threshold}`.trim()],
        address: alarm.address,
        cluster: "cluster_alarms",
      });
      for (const topic of this.stack.refs([alarm.values.alarm_actions, alarm.values.ok_actions], "aws_sns_topic")) this.edge(alarm.address, topic.address);
    }
    for (const topic of this.stack.resources("aws_sns_topic")) {
      const subscriptions = this.stack.resources("aws_sns_topic_subscription").filter((s) => this.stack.refs(s.values.topic_arn).includes(topic));
      this.node({
        id: topic.address,
        kinds: ["sns-topic"],
        title: "SNS topic",
        details: [text(topic.values.name), subscriptions.length > 0 ? subscriptions.map((s) => text(s.values.protocol)).join(", ") + " subscription" + (subscriptions.length === 1 ? "" : "s") : ""].filter((d) => d && d !== "?"),
        address: topic.address,
      });
    }
  }

  // ---------------------------------------------------------------- security group rules, users, the rest

  private ingressRules(): { source: TfResource | undefined; cidr: boolean; target: TfResource; port: string }[] {
    const out: { source: TfResource | undefined; cidr: boolean; target: TfResource; port: string }[] = [];
    for (const rule of this.stack.resources("aws_vpc_security_group_ingress_rule")) {
      const target = this.stack.refs(rule.values.security_group_id, ...SG_TYPES)[0];
      if (!target) continue;
      out.push({ source: this.stack.refs(rule.values.referenced_security_group_id, ...SG_TYPES)[0], cidr: rule.values.cidr_ipv4 !== undefined || rule.values.cidr_ipv6 !== undefined || rule.values.prefix_list_id !== undefined, target, port: portText(rule.values.from_port, rule.values.to_port) });
    }
    for (const rule of this.stack.resources("aws_security_group_rule").filter((r) => r.values.type === "ingress")) {
      const target = this.stack.refs(rule.values.security_group_id, ...SG_TYPES)[0];
      if (!target) continue;
      out.push({ source: this.stack.refs(rule.values.source_security_group_id, ...SG_TYPES)[0], cidr: rule.values.cidr_blocks !== undefined, target, port: portText(rule.values.from_port, rule.values.to_port) });
    }
    return out;
  }

  /** Security groups of each drawn node (an Auto Scaling group has those of its launch templates). */
  private groupMembers(): Map<string, string[]> {
    const members = new Map<string, string[]>();
    for (const node of this.nodes.values()) {
      const resource = this.stack.get(node.id);
      if (!resource || node.kinds[0] === "launch-template") continue;
      let groups = this.stack.refs(resource.values, ...SG_TYPES);
      if (resource.type === "aws_autoscaling_group") {
        groups = this.stack.refs([resource.values.launch_template, resource.values.mixed_instances_policy], "aws_launch_template").flatMap((t) => this.stack.refs(t.values, ...SG_TYPES));
      }
      for (const g of groups) members.set(g.address, [...(members.get(g.address) ?? []), node.id]);
    }
    return members;
  }

  /** Traffic the security groups admit between drawn resources (load balancers' is drawn through their target groups). */
  private securityGroupEdges(): void {
    const members = this.groupMembers();
    const lbs = new Set(this.stack.resources(...LB_TYPES).map((l) => l.address));
    for (const rule of this.ingressRules()) {
      if (!rule.source) continue;
      for (const from of members.get(rule.source.address) ?? []) {
        if (lbs.has(from)) continue;
        for (const to of members.get(rule.target.address) ?? []) this.edge(from, to, rule.port);
      }
    }
  }

  /** Users reach the entry points nothing else in the stack points to; operators reach SSH. */
  private users(): void {
    const targeted = new Set(this.edges.map((e) => e.to));
    const entries = [...this.nodes.values()].filter(
      (n) =>
        !targeted.has(n.id) &&
        (n.kinds[0] === "dns-record" ||
          n.kinds[0] === "cloudfront" ||
          n.kinds[0] === "shared-alb" ||
          ((n.kinds[0] === "alb" || n.kinds[0] === "nlb") && this.stack.get(n.id)?.values.internal !== true) ||
          (n.kinds[0] === "ec2-instance" && this.stack.resources("aws_eip_association", "aws_eip").some((a) => this.stack.refs([a.values.instance_id, a.values.instance]).some((i) => i.address === n.id)))),
    );
    if (entries.length > 0) {
      this.node({ id: "users", kinds: ["users"], title: "Users", details: ["internet"], address: "" });
      for (const entry of entries) this.edge("users", entry.id);
    }
    const members = this.groupMembers();
    const ssh = this.ingressRules().filter((r) => r.cidr && r.port === "22");
    const reached = ssh.flatMap((r) => members.get(r.target.address) ?? []);
    if (reached.length > 0) {
      this.node({ id: "operators", kinds: ["operators"], title: "Operators", details: ["allowed CIDRs"], address: "" });
      for (const to of reached) this.edge("operators", to, "SSH :22");
    }
  }

  /** Everything else, counted by type, in one note: nothing of the stack is silently left out. */
  private others(): void {
    for (const node of this.nodes.values()) this.drawn.add(node.id);
    const counts = new Map<string, number>();
    for (const [type, byName] of Object.entries<Record<string, unknown>>(this.json.resource ?? {})) {
      if (FOLDED_INTO_OWNER.includes(type)) continue;
      const left = Object.keys(byName).filter((name) => !this.drawn.has(`${type}.${name}`)).length;
      if (left > 0) counts.set(type, left);
    }
    if (counts.size === 0) return;
    const entries = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([type, n]) => `${n} × ${type}`);
    const lines: string[] = [];
    for (let i = 0; i < entries.length; i += 2) lines.push(entries.slice(i, i + 2).join(" · "));
    this.node({ id: "others", kinds: ["others"], title: "Also in this stack", details: lines, address: "" });
  }

  // ---------------------------------------------------------------- helpers

  private node(node: ArchitectureNode): void {
    if (!this.nodes.has(node.id)) this.nodes.set(node.id, node);
    this.drawn.add(node.id);
  }

  private edge(from: string, to: string, label?: string, secondary?: boolean): void {
    this.edges.push({ from, to, label, secondary });
  }

  private cluster(cluster: ArchitectureCluster): void {
    if (!this.clusters.has(cluster.id)) this.clusters.set(cluster.id, cluster);
  }
}

// ------------------------------------------------------------------ labels

/** A literal argument as text; `?` for values Terraform computes. */
function text(value: unknown): string {
  if (value === undefined || value === null) return "?";
  const s = typeof value === "string" ? value : JSON.stringify(value);
  return s.includes("${") ? "?" : s;
}

/** A two-line label: the main line, then a small line (the renderer draws them so). */
function label2(main: string, small: string): string {
  return `${main}\n${small}`;
}

const TIER_ORDER = ["public", "private", "data"];
const TIER_NAMES: Record<string, string> = { public: "Public subnets", private: "Private subnets", data: "Database subnets" };

function sortTiers(tiers: string[]): string[] {
  const rank = (t: string) => (TIER_ORDER.includes(t) ? TIER_ORDER.indexOf(t) : TIER_ORDER.length);
  return [...tiers].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function tierLabel(tier: string): string {
  return TIER_NAMES[tier] ?? `${tier} subnets`;
}

/** `aws_subnet.network_public_{0,1,2}` for addresses that share a prefix. */
function compactAddresses(addresses: string[]): string {
  if (addresses.length === 1) return addresses[0];
  let prefix = addresses[0];
  for (const a of addresses) while (!a.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return `${prefix}{${addresses.map((a) => a.slice(prefix.length)).join(",")}}`;
}

/** `terraform_remote_state` outputs an argument reads: `${data.terraform_remote_state.<state>.outputs.<output>}`. */
function remoteOutputs(value: unknown): { state: string; output: string }[] {
  const found: { state: string; output: string }[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === "string") {
      for (const m of v.matchAll(/data\.terraform_remote_state\.([\w-]+)\.outputs\.([\w-]+)/g)) found.push({ state: m[1], output: m[2] });
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") Object.entries(v).forEach(([k, item]) => k !== "//" && visit(item));
  };
  visit(value);
  return found;
}

function listenerLabel(listener: TfResource): string {
  const redirect = blocks(listener.values.default_action).some((a) => a.type === "redirect");
  return `${text(listener.values.protocol)} :${text(listener.values.port)}${redirect ? " (redirect)" : ""}`;
}

function stageKind(stage: Record<string, any>): NodeKind {
  const categories = blocks(stage.action).map((a) => a.category);
  if (categories.includes("Approval")) return "pipeline-approval";
  if (categories.includes("Source")) return "pipeline-source";
  if (categories.includes("Deploy")) return "pipeline-deploy";
  // CodePipeline has no Deploy category for CodeBuild: a build action in a stage named for deploying deploys.
  return /deploy/i.test(String(stage.name)) ? "pipeline-deploy" : "pipeline-build";
}

const SOURCE_PROVIDERS: Record<string, string> = { CodeStarSourceConnection: "CodeConnections", CodeCommit: "CodeCommit", S3: "S3 object", ECR: "ECR image" };

function actionLabel(action: Record<string, any>, stack: StackView): string {
  const c = (action.configuration ?? {}) as Record<string, unknown>;
  const provider = String(action.provider ?? "?");
  if (action.category === "Source") {
    const where = [c.FullRepositoryId ?? c.RepositoryName ?? c.S3ObjectKey, c.BranchName].filter((v) => v !== undefined).map(text).join("@");
    return `${SOURCE_PROVIDERS[provider] ?? provider}${where ? ` ${where}` : ""}`;
  }
  if (action.category === "Approval") return "manual approval";
  const projects = stack.refs(c, "aws_codebuild_project").map((p) => text(p.values.name));
  return `${provider}${projects.length > 0 && !projects.includes("?") ? ` ${projects.join(", ")}` : ""}`;
}

function comparison(operator: unknown): string {
  const symbols: Record<string, string> = { GreaterThanThreshold: ">", GreaterThanOrEqualToThreshold: "≥", LessThanThreshold: "<", LessThanOrEqualToThreshold: "≤" };
  return symbols[String(operator)] ?? String(operator ?? "");
}

function portText(from: unknown, to: unknown): string {
  if (from === undefined || from === -1) return "all";
  return from === to || to === undefined ? `${from}` : `${from}-${to}`;
}

// ------------------------------------------------------------------ DOT

/**
 * Graphviz sizes boxes from built-in metrics of the font it is given (the WebAssembly build has no
 * font files); a list of fonts would be measured as Times. DejaVu Sans is Debian's default sans-serif
 * font and among the widest common ones (Verdana's metrics), so text fits when a browser draws it
 * with DejaVu Sans, Verdana or anything narrower; the SVG names the fallbacks ({@link FONT_FAMILY}).
 */
const FONT = "DejaVu Sans";
const FONT_FAMILY = "'DejaVu Sans',Verdana,Arial,sans-serif";

/** Fill and border of each kind (AWS's category colours: networking purple, compute orange, ...). */
const PALETTE: Record<NodeKind, readonly [string, string]> = {
  users: ["#f2f2f2", "#555555"],
  operators: ["#f2f2f2", "#555555"],
  "dns-record": ["#f1eaff", "#8c4fff"],
  cloudfront: ["#f1eaff", "#8c4fff"],
  alb: ["#f1eaff", "#8c4fff"],
  nlb: ["#f1eaff", "#8c4fff"],
  "shared-alb": ["#f1eaff", "#8c4fff"],
  "host-rule": ["#f7f2ff", "#8c4fff"],
  "path-rule": ["#f7f2ff", "#8c4fff"],
  "listener-rule": ["#f7f2ff", "#8c4fff"],
  "target-group": ["#f7f2ff", "#8c4fff"],
  "internet-gateway": ["#f7f2ff", "#8c4fff"],
  "nat-gateway": ["#f7f2ff", "#8c4fff"],
  subnets: ["#ffffff", "#8c8c8c"],
  asg: ["#fdebd9", "#d45b07"],
  "launch-template": ["#fff6ee", "#d45b07"],
  "ec2-instance": ["#fdebd9", "#d45b07"],
  bastion: ["#fdebd9", "#d45b07"],
  "ecs-cluster": ["#fdebd9", "#d45b07"],
  "ecs-service": ["#fdebd9", "#d45b07"],
  lambda: ["#fdebd9", "#d45b07"],
  rds: ["#e4e8fb", "#3b48cc"],
  "s3-bucket": ["#edf5df", "#5f8a10"],
  "static-frontend": ["#edf5df", "#5f8a10"],
  "ecr-repository": ["#edf5df", "#5f8a10"],
  "pipeline-source": ["#e6f0fb", "#2e73b8"],
  "pipeline-build": ["#e6f0fb", "#2e73b8"],
  "pipeline-approval": ["#fff8d6", "#a07800"],
  "pipeline-deploy": ["#e6f0fb", "#2e73b8"],
  codedeploy: ["#e6f0fb", "#2e73b8"],
  "image-recipe": ["#fff3e0", "#c7511f"],
  "golden-ami": ["#fff3e0", "#c7511f"],
  "image-pipeline": ["#fff3e0", "#c7511f"],
  alarm: ["#fde6ef", "#c2185b"],
  "sns-topic": ["#fde6ef", "#c2185b"],
  others: ["#ffffff", "#9e9e9e"],
};

const CLUSTER_TONES: Record<string, readonly [string, string]> = {
  vpc: ["#fbf9ff", "#8c4fff"],
  public: ["#f3f9ec", "#5f8a10"],
  private: ["#eef5fc", "#2e73b8"],
  data: ["#f0f1fc", "#3b48cc"],
  tier: ["#f7f7f7", "#8c8c8c"],
  group: ["#ffffff", "#9e9e9e"],
};

function html(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function quoted(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function nodeLabel(node: ArchitectureNode): string {
  const lines = [`<B>${html(node.title)}</B>`, ...node.details.filter((d) => d !== "").map((d) => html(d))];
  if (node.address) lines.push(`<FONT POINT-SIZE="8" COLOR="#5f5f5f">${html(node.address)}</FONT>`);
  return `<${lines.join("<BR/>")}>`;
}

function clusterLabel(cluster: ArchitectureCluster): string {
  const [main, ...small] = cluster.label.split("\n");
  return `<<B>${html(main)}</B>${small.map((s) => `<BR/><FONT POINT-SIZE="8" COLOR="#5f5f5f">${html(s)}</FONT>`).join("")}>`;
}

/** The Graphviz DOT source of an architecture (left to right: users, edge, load balancing, compute, data). */
export function architectureDot(architecture: Architecture): string {
  const out: string[] = [];
  out.push(`digraph ${quoted(architecture.stack)} {`);
  out.push(
    `  graph [rankdir=LR, newrank=true, fontname=${quoted(FONT)}, fontsize=16, labelloc=t, labeljust=l, label=${quoted(`${architecture.stack}: architecture drawn from the synthesized Terraform`)}, nodesep=0.25, ranksep=0.6, pad=0.3, bgcolor="#ffffff"];`,
  );
  out.push(`  node [shape=box, style="rounded,filled", fontname=${quoted(FONT)}, fontsize=10, penwidth=1.2, margin="0.12,0.05"];`);
  out.push(`  edge [fontname=${quoted(FONT)}, fontsize=8, color="#444444", fontcolor="#333333", arrowsize=0.7];`);

  const nodeLine = (node: ArchitectureNode, indent: string): string => {
    const [fill, border] = PALETTE[node.kinds[0]];
    const shape = node.kinds[0] === "others" ? ", shape=note" : node.kinds[0] === "users" || node.kinds[0] === "operators" ? ", shape=ellipse" : "";
    return `${indent}${quoted(node.id)} [label=${nodeLabel(node)}, class=${quoted(node.kinds.join(" "))}, fillcolor=${quoted(fill)}, color=${quoted(border)}${shape}];`;
  };
  const emitCluster = (cluster: ArchitectureCluster, indent: string): void => {
    const tone = CLUSTER_TONES[cluster.style === "tier" ? (cluster.id.match(/_(public|private|data)$/)?.[1] ?? "tier") : cluster.style];
    out.push(`${indent}subgraph ${quoted(cluster.id)} {`);
    out.push(`${indent}  graph [label=${clusterLabel(cluster)}, style=${quoted(cluster.style === "group" ? "rounded,dashed" : "rounded,filled")}, fillcolor=${quoted(tone[0])}, color=${quoted(tone[1])}, fontsize=11, penwidth=${cluster.style === "vpc" ? 1.6 : 1}];`);
    for (const child of architecture.clusters.filter((c) => c.parent === cluster.id)) emitCluster(child, `${indent}  `);
    for (const node of architecture.nodes.filter((n) => n.cluster === cluster.id)) out.push(nodeLine(node, `${indent}  `));
    out.push(`${indent}}`);
  };
  const clusterIds = new Set(architecture.clusters.map((c) => c.id));
  for (const cluster of architecture.clusters.filter((c) => !c.parent || !clusterIds.has(c.parent))) emitCluster(cluster, "  ");
  for (const node of architecture.nodes.filter((n) => !n.cluster || !clusterIds.has(n.cluster))) out.push(nodeLine(node, "  "));
  if (architecture.nodes.some((n) => n.id === "users")) out.push(`  { rank=min; "users"; }`);
  for (const edge of architecture.edges) {
    const attributes = [edge.label ? `label=${quoted(edge.label)}` : "", edge.secondary ? `style=dashed, color="#8a8a8a", constraint=false` : ""].filter(Boolean);
    out.push(`  ${quoted(edge.from)} -> ${quoted(edge.to)}${attributes.length > 0 ? ` [${attributes.join(", ")}]` : ""};`);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}

// ------------------------------------------------------------------ rendering

/** Renders the architecture picture (SVG) of one synthesized stack. */
export type ArchitectureRenderer = (json: Record<string, any>, stackName: string) => string;

let graphviz: Promise<Viz> | undefined;

/**
 * Loads Graphviz (WebAssembly, embedded in @viz-js/viz) once per process, on first call, and
 * resolves to a renderer. Call it early: the module compiles while other work goes on. A failure
 * is reported where the result is awaited (never as an unhandled rejection).
 */
export function loadArchitectureRenderer(): Promise<ArchitectureRenderer> {
  // Started synchronously, so the WebAssembly compiles (on V8's background threads) while the caller works on.
  const renderer = loadDotRenderer().then((render): ArchitectureRenderer => (json, stackName) => render(architectureDot(architectureOf(json, stackName))));
  renderer.catch(() => undefined);
  return renderer;
}

/** Like loadArchitectureRenderer, for DOT text already made by `architectureDot`. */
export function loadDotRenderer(): Promise<(dot: string) => string> {
  graphviz ??= (() => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const viz = require("@viz-js/viz") as typeof import("@viz-js/viz");
      return viz.instance();
    } catch (e) {
      return Promise.reject(e);
    }
  })();
  const renderer = graphviz.then((viz) => (dot: string) => renderSvg(viz, dot));
  renderer.catch(() => undefined);
  return renderer;
}

function renderSvg(viz: Viz, dot: string): string {
  const result = viz.render(dot, { format: "svg", engine: "dot" });
  if (result.status !== "success") throw new Error(`Graphviz could not draw the architecture: ${result.errors.map((e) => e.message).join("; ")}`);
  return result.output.replaceAll(`font-family="${FONT}"`, `font-family="${FONT_FAMILY}"`);
}

/** A stack whose synthesized JSON can be read (cdktf's TerraformStack). */
export interface RenderableStack {
  readonly node: { readonly id: string };
  toTerraform(): Record<string, any>;
}

/** Writes `<stacksDir>/<stack>/architecture.svg` for every stack; returns the files written. */
export function writeArchitecturePictures(stacks: readonly RenderableStack[], stacksDir: string, render: ArchitectureRenderer): string[] {
  return stacks.map((stack) => {
    const file = path.join(stacksDir, stack.node.id, ARCHITECTURE_FILE);
    fs.writeFileSync(file, render(stack.toTerraform(), stack.node.id));
    return file;
  });
}
