"""What the emulator tier does through the AWS API (boto3, from the Python that runs moto).

  python3 aws.py release <region> <app> <group>
                                             one blue/green release as CodeDeploy does it (COPY_AUTO_SCALING_GROUP)
  python3 aws.py release-ecs <region> <app> <group>
                                             one CodeDeploy blue/green release of an ECS service (task sets, listener rules)
  python3 aws.py check-fleet <region> <app> <group> <expected JSON>
                                             the live group has the configured settings
  python3 aws.py fleet <region> <tag-value>  the Auto Scaling groups of a fleet, as JSON

The endpoint comes from AWS_ENDPOINT_URL, as for Terraform.
"""
import json
import sys
import uuid

import boto3

# Settings of a group that CodeDeploy copies to the replacement group ("Create an Auto Scaling group
# ... copies the original group's settings", CodeDeploy blue/green with COPY_AUTO_SCALING_GROUP).
COPIED = [
    "MinSize",
    "MaxSize",
    "DesiredCapacity",
    "DefaultCooldown",
    "HealthCheckType",
    "HealthCheckGracePeriod",
    "VPCZoneIdentifier",
    "TargetGroupARNs",
    "LoadBalancerNames",
    "TerminationPolicies",
    "NewInstancesProtectedFromScaleIn",
    "CapacityRebalance",
    "DefaultInstanceWarmup",
    "MaxInstanceLifetime",
    "ServiceLinkedRoleARN",
]


def fleet_groups(asg, tag_value):
    groups = asg.describe_auto_scaling_groups(Filters=[{"Name": "tag:app:fleet", "Values": [tag_value]}])["AutoScalingGroups"]
    return sorted(groups, key=lambda g: g["AutoScalingGroupName"])


def release(region, app, group_name):
    """One blue/green deployment with COPY_AUTO_SCALING_GROUP, as CodeDeploy runs it: copy the group the
    deployment group targets (launch template, sizes, subnets, target groups, health check, tags;
    not scaling policies nor notifications), point the deployment group at the copy, delete the
    original after the termination wait, and send the success event to the fleet reconciler."""
    session = boto3.session.Session(region_name=region)
    codedeploy, asg = session.client("codedeploy"), session.client("autoscaling")
    group = codedeploy.get_deployment_group(applicationName=app, deploymentGroupName=group_name)["deploymentGroupInfo"]
    names = [g["name"] for g in group.get("autoScalingGroups", [])]
    if len(names) != 1:
        raise SystemExit(f"deployment group {app}/{group_name} targets {names}; a blue/green release copies exactly one group")
    original = asg.describe_auto_scaling_groups(AutoScalingGroupNames=names)["AutoScalingGroups"]
    if not original:
        raise SystemExit(f"deployment group {app}/{group_name} targets {names[0]}, which does not exist (the release would fail)")
    original = original[0]
    copy = f"CodeDeploy_{group_name}_d-{uuid.uuid4().hex[:9].upper()}"
    args = {key: original[key] for key in COPIED if original.get(key) not in (None, "", [])}
    if "LaunchTemplate" in original:
        args["LaunchTemplate"] = {k: v for k, v in original["LaunchTemplate"].items() if k in ("LaunchTemplateId", "Version")}
    if original.get("MixedInstancesPolicy"):
        # The copy keeps the original's mixed instances policy (Spot split, instance types); its launch
        # template is named by ID only, as for LaunchTemplate (DescribeAutoScalingGroups returns the ID
        # and the name, and CreateAutoScalingGroup takes either, not both).
        policy = json.loads(json.dumps(original["MixedInstancesPolicy"]))
        spec = policy["LaunchTemplate"]["LaunchTemplateSpecification"]
        policy["LaunchTemplate"]["LaunchTemplateSpecification"] = {k: v for k, v in spec.items() if k in ("LaunchTemplateId", "Version")}
        args["MixedInstancesPolicy"] = policy
    args["Tags"] = [
        {"Key": t["Key"], "Value": t["Value"], "PropagateAtLaunch": t["PropagateAtLaunch"], "ResourceId": copy, "ResourceType": "auto-scaling-group"}
        for t in original.get("Tags", [])
    ]
    asg.create_auto_scaling_group(AutoScalingGroupName=copy, **args)
    deployment_id = copy.rsplit("_", 1)[1]
    waited = None
    ready = group.get("blueGreenDeploymentConfiguration", {}).get("deploymentReadyOption", {})
    if ready.get("actionOnTimeout") == "STOP_DEPLOYMENT":
        # The deployment waits before traffic moves (deployment.blueGreen.waitForApproval): CodeDeploy
        # reports READY; with a test listener the reconciler puts the test target group on the copy only.
        waited = deployment_ready(session, app, group_name, deployment_id, copy, original["Tags"])
    codedeploy.update_deployment_group(applicationName=app, currentDeploymentGroupName=group_name, autoScalingGroups=[copy])
    asg.delete_auto_scaling_group(AutoScalingGroupName=original["AutoScalingGroupName"], ForceDelete=True)
    reconciled = deployment_succeeded(session, app, group_name, deployment_id)
    if waited and waited.get("testTargetGroup"):
        holders = test_target_group_holders(asg, waited["fleetTag"], waited["testTargetGroup"])
        if holders:
            raise SystemExit(f"after the deployment succeeded the test target group is still attached to {holders}; expected no group of the fleet")
    print(json.dumps({"original": original["AutoScalingGroupName"], "copy": copy, "reconciled": reconciled, **({"waited": waited} if waited else {})}))


def fleet_tag(tags):
    return next(t["Value"] for t in tags if t["Key"] == "app:fleet")


def test_target_group_holders(asg, tag_value, arn):
    return [g["AutoScalingGroupName"] for g in fleet_groups(asg, tag_value) if arn in g.get("TargetGroupARNs", [])]


def deployment_ready(session, app, group_name, deployment_id, copy, tags):
    """What happens while a deployment waits before traffic moves (STOP_DEPLOYMENT): CodeDeploy's READY
    event reaches the reconciler through `<group>-fleet-reconciler-test-traffic` when the environment
    has a test listener, and then the test target group must be on the copy and on no other group."""
    events = session.client("events")
    try:
        rule = events.describe_rule(Name=f"{group_name}-fleet-reconciler-test-traffic")
    except events.exceptions.ResourceNotFoundException:
        return {"testTargetGroup": None}
    pattern = json.loads(rule["EventPattern"])
    if pattern["detail"]["deploymentGroup"] != [group_name] or sorted(pattern["detail"]["state"]) != ["FAILURE", "READY", "STOP"]:
        raise SystemExit(f"the reconciler's test-traffic rule does not match deployment group {group_name}'s READY, FAILURE and STOP: {rule['EventPattern']}")
    target = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    if len(target) != 1:
        raise SystemExit(f"rule {rule['Name']} has {len(target)} targets; expected the reconciler")
    function = session.client("lambda").get_function_configuration(FunctionName=target[0]["Arn"])
    arn = json.loads(function["Environment"]["Variables"]["FLEET_SETTINGS"])["testTargetGroupArn"]
    answer = invoke(session, target[0]["Arn"], app, group_name, "READY", deployment_id)
    holders = test_target_group_holders(session.client("autoscaling"), fleet_tag(tags), arn)
    if holders != [copy]:
        raise SystemExit(f"while the deployment waits the test target group is attached to {holders}; expected only the new copy {copy} ({answer})")
    return {"testTargetGroup": arn, "fleetTag": fleet_tag(tags), "holders": holders, "reconciler": answer}


def invoke(session, function_arn, app, group_name, state, deployment_id):
    event = {
        "version": "0", "source": "aws.codedeploy", "detail-type": "CodeDeploy Deployment State-change Notification",
        "region": session.region_name,
        "detail": {"application": app, "deploymentGroup": group_name, "state": state, "deploymentId": deployment_id},
    }
    answer = session.client("lambda").invoke(FunctionName=function_arn, Payload=json.dumps(event).encode())
    payload = answer["Payload"].read().decode()
    if answer.get("FunctionError"):
        raise SystemExit(f"the fleet reconciler failed on the deployment's {state} event: {payload}")
    return json.loads(payload)


def deployment_succeeded(session, app, group_name, deployment_id="d-E2E"):
    """What EventBridge does when the deployment succeeds: the fleet reconciler gets CodeDeploy's
    state-change event (constructs/fleet-reconciler.ts, rule `<group>-fleet-reconciler-deployment-succeeded`)."""
    events = session.client("events")
    rule = events.describe_rule(Name=f"{group_name}-fleet-reconciler-deployment-succeeded")
    pattern = json.loads(rule["EventPattern"])
    if pattern["detail"]["deploymentGroup"] != [group_name] or pattern["detail"]["state"] != ["SUCCESS"]:
        raise SystemExit(f"the reconciler's rule does not match deployment group {group_name}'s success: {rule['EventPattern']}")
    target = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    if len(target) != 1:
        raise SystemExit(f"rule {rule['Name']} has {len(target)} targets; expected the reconciler")
    return invoke(session, target[0]["Arn"], app, group_name, "SUCCESS", deployment_id)


def check_fleet(region, app, group_name, expected):
    """The live group (the deployment group's) has the settings of the configuration."""
    expected = json.loads(expected)
    session = boto3.session.Session(region_name=region)
    codedeploy, asg, ec2 = session.client("codedeploy"), session.client("autoscaling"), session.client("ec2")
    names = [g["name"] for g in codedeploy.get_deployment_group(applicationName=app, deploymentGroupName=group_name)["deploymentGroupInfo"]["autoScalingGroups"]]
    if len(names) != 1:
        raise SystemExit(f"the deployment group targets {names}: the live group is ambiguous")
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=names)["AutoScalingGroups"][0]
    # With a mixed instances policy the group names its launch template there, not at the top level.
    mixed = group.get("MixedInstancesPolicy")
    template = mixed["LaunchTemplate"]["LaunchTemplateSpecification"] if mixed else group["LaunchTemplate"]
    warm = asg.describe_warm_pool(AutoScalingGroupName=names[0]).get("WarmPoolConfiguration")
    version = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"], Versions=[template["Version"]])["LaunchTemplateVersions"][0]
    policies = sorted(p["PolicyName"] for p in asg.describe_policies(AutoScalingGroupName=names[0])["ScalingPolicies"])
    notifications = asg.describe_notification_configurations(AutoScalingGroupNames=names)["NotificationConfigurations"]
    # The alarms keyed by the group (CPU, memory, disk) must watch the live group: the reconciler points them at it.
    alarms = session.client("cloudwatch").describe_alarms(AlarmNamePrefix=f"{group_name}-", AlarmTypes=["MetricAlarm"])["MetricAlarms"]
    following = sorted(a["AlarmName"] for a in alarms if {"Name": "AutoScalingGroupName", "Value": names[0]} in a.get("Dimensions", []))
    actual = {
        "minSize": group["MinSize"],
        "maxSize": group["MaxSize"],
        "instanceType": version["LaunchTemplateData"]["InstanceType"],
        "launchTemplateVersion": template["Version"],
        "healthCheckType": group["HealthCheckType"],
        "targetGroups": len(group.get("TargetGroupARNs", [])),
        "policies": policies,
        "notifications": len(notifications) > 0,
        "groupAlarms": following,
        # The reconciler puts the configuration's warm pool on the copy (CodeDeploy copies none).
        "warmPool": {
            "poolState": warm["PoolState"],
            "minSize": warm["MinSize"],
            "maxGroupPreparedCapacity": warm.get("MaxGroupPreparedCapacity"),
            "reuseOnScaleIn": (warm.get("InstanceReusePolicy") or {}).get("ReuseOnScaleIn", False),
        } if warm else None,
        "mixedInstances": {
            "instanceTypes": [o.get("InstanceType") for o in mixed["LaunchTemplate"].get("Overrides", [])],
            **{k[0].lower() + k[1:]: v for k, v in mixed.get("InstancesDistribution", {}).items() if k in ("OnDemandBaseCapacity", "OnDemandPercentageAboveBaseCapacity", "OnDemandAllocationStrategy", "SpotAllocationStrategy")},
        } if mixed else None,
        "capacityRebalance": bool(group.get("CapacityRebalance")),
    }
    wrong = {k: (actual.get(k), v) for k, v in expected.items() if actual.get(k) != v}
    if wrong:
        raise SystemExit(f"live group {names[0]} differs from the configuration (actual, expected): {json.dumps(wrong)}")
    print(json.dumps({"group": names[0], **actual}))


def release_ecs(region, app, group_name):
    """One CodeDeploy blue/green release of an ECS service (compute platform ECS), as the pipeline's
    prepare step and CodeDeployToECS action and then CodeDeploy run it: the next task definition
    revision from the one Terraform published in SSM with a new image (taskdef.json, <IMAGE1_NAME>),
    a replacement task set behind the idle target group of the pair, the test listener pointed at
    it, production traffic shifted on every listener rule that forwards to the pair (by the
    configuration's steps: canary, linear or all at once), the replacement made primary and the
    original task set deleted after the termination wait. Afterwards Terraform must plan nothing."""
    session = boto3.session.Session(region_name=region)
    codedeploy, ecs, elb, ssm = (session.client(n) for n in ("codedeploy", "ecs", "elbv2", "ssm"))
    group = codedeploy.get_deployment_group(applicationName=app, deploymentGroupName=group_name)["deploymentGroupInfo"]
    (target,) = group["ecsServices"]
    (pair,) = group["loadBalancerInfo"]["targetGroupPairInfoList"]
    names = [t["name"] for t in pair["targetGroups"]]
    groups = {t["TargetGroupName"]: t["TargetGroupArn"] for t in elb.describe_target_groups(Names=names)["TargetGroups"]}
    cluster, service_name = target["clusterName"], target["serviceName"]
    service = ecs.describe_services(cluster=cluster, services=[service_name])["services"][0]
    if service.get("deploymentController", {}).get("type") != "CODE_DEPLOY":
        raise SystemExit(f"service {service_name} has deployment controller {service.get('deploymentController')}; CodeDeploy deploys only CODE_DEPLOY services")
    # Which group is live: the one the production rules send traffic to.
    prod_listeners = pair["prodTrafficRoute"]["listenerArns"]
    rules = [r for listener in prod_listeners for r in elb.describe_rules(ListenerArn=listener)["Rules"] if forwards_to(r, groups.values())]
    if not rules:
        raise SystemExit(f"no rule of {prod_listeners} forwards to {names}: CodeDeploy would have no production route to shift")
    live = {arn: w for arn, w in weights(rules[0]).items() if w > 0}
    if len(live) != 1:
        raise SystemExit(f"before the release production traffic goes to {live}; expected one group of the pair")
    (blue,) = live
    green = next(arn for arn in groups.values() if arn != blue)

    # The prepare step and the CodeDeployToECS action: Terraform's revision with the new image.
    # Terraform's parameter /<app>/<env>/release/<service>/task-definition names a revision of the service's family.
    family = service["taskDefinition"].split("/")[-1].rsplit(":", 1)[0]
    found = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "Contains", "Values": [f"/release/{service_name}/task-definition"]}])["Parameters"]
    values = [ssm.get_parameter(Name=p["Name"])["Parameter"]["Value"] for p in found]
    base = next((v for v in values if v.split("/")[-1].rsplit(":", 1)[0] == family), None)
    if base is None:
        raise SystemExit(f"no SSM parameter of service {service_name} names a revision of {family} ({found})")
    definition = ecs.describe_task_definition(taskDefinition=base)["taskDefinition"]
    request = {k: v for k, v in definition.items() if k not in ("taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt", "registeredBy", "deregisteredAt")}
    (container,) = [c for c in request["containerDefinitions"] if c["name"] == service_name]
    container["image"] = container["image"].rsplit(":", 1)[0] + ":" + "release-" + uuid.uuid4().hex[:8]
    revision = ecs.register_task_definition(**request)["taskDefinition"]["taskDefinitionArn"]

    # CodeDeploy: the replacement task set behind the idle group, then the test route, then the shift.
    port = next(lb["containerPort"] for lb in service["loadBalancers"])
    created = ecs.create_task_set(
        cluster=cluster, service=service_name, taskDefinition=revision, externalId=f"d-{uuid.uuid4().hex[:9].upper()}",
        loadBalancers=[{"targetGroupArn": green, "containerName": service_name, "containerPort": port}],
        scale={"unit": "PERCENT", "value": 100.0},
        **({"networkConfiguration": service["networkConfiguration"]} if service.get("networkConfiguration") else {}),
    )["taskSet"]
    for listener in pair.get("testTrafficRoute", {}).get("listenerArns", []):
        elb.modify_listener(ListenerArn=listener, DefaultActions=[forward({green: 100, blue: 0})])
    config = codedeploy.get_deployment_config(deploymentConfigName=group["deploymentConfigName"])["deploymentConfigInfo"]
    steps = shift_steps(config.get("trafficRoutingConfig", {"type": "AllAtOnce"}))
    for percent in steps:
        for rule in rules:
            elb.modify_rule(RuleArn=rule["RuleArn"], Actions=[forward({green: percent, blue: 100 - percent})])
    ecs.update_service_primary_task_set(cluster=cluster, service=service_name, primaryTaskSet=created["taskSetArn"])
    for old in ecs.describe_task_sets(cluster=cluster, service=service_name)["taskSets"]:
        if old["taskSetArn"] != created["taskSetArn"]:
            ecs.delete_task_set(cluster=cluster, service=service_name, taskSet=old["taskSetArn"])
    after = weights(elb.describe_rules(RuleArns=[rules[0]["RuleArn"]])["Rules"][0])
    if after.get(green) != 100 or after.get(blue) != 0:
        raise SystemExit(f"after the shift the production rule forwards {after}; expected all traffic on {green}")
    print(json.dumps({"service": service_name, "revision": revision, "from": blue.split("/")[-2], "to": green.split("/")[-2], "steps": steps, "weights": {k.split("/")[-2]: v for k, v in after.items()}}))


def forward(weights_by_arn):
    return {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": arn, "Weight": w} for arn, w in weights_by_arn.items()]}}


def weights(rule):
    out = {}
    for action in rule.get("Actions", []):
        if action["Type"] != "forward":
            continue
        if action.get("ForwardConfig"):
            out.update({t["TargetGroupArn"]: t.get("Weight", 1) for t in action["ForwardConfig"]["TargetGroups"]})
        elif action.get("TargetGroupArn"):
            out[action["TargetGroupArn"]] = 1
    return out


def forwards_to(rule, arns):
    return not rule.get("IsDefault") and any(arn in weights(rule) for arn in arns)


def shift_steps(routing):
    """The share of production traffic on the replacement after each step of a deployment configuration."""
    kind = routing["type"]
    if kind == "TimeBasedCanary":
        return [routing["timeBasedCanary"]["canaryPercentage"], 100]
    if kind == "TimeBasedLinear":
        step = routing["timeBasedLinear"]["linearPercentage"]
        return list(range(step, 100, step)) + [100]
    return [100]


def fixtures(spec):
    """What a configuration refers to but does not create (a hosted zone, a certificate), made in the
    emulator; prints their ids by fixture name for the case's ${fixture.<name>} values."""
    out = {}
    for name, item in spec.items():
        session = boto3.session.Session(region_name=item.get("region", "us-east-1"))
        if item["type"] == "hosted-zone":
            zone = session.client("route53").create_hosted_zone(Name=item["domain"], CallerReference=name)
            out[name] = zone["HostedZone"]["Id"].split("/")[-1]
        elif item["type"] == "certificate":
            acm = session.client("acm")
            arn = acm.request_certificate(DomainName=item["domain"], SubjectAlternativeNames=item.get("alternativeNames", []) or [item["domain"]], ValidationMethod="DNS")["CertificateArn"]
            out[name] = arn
        elif item["type"] == "s3-bucket":
            # A bucket the configuration only refers to, e.g. the S3 backend's state bucket.
            s3 = session.client("s3")
            region = item.get("region", "us-east-1")
            s3.create_bucket(Bucket=item["bucket"], **({} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}))
            s3.put_bucket_versioning(Bucket=item["bucket"], VersioningConfiguration={"Status": "Enabled"})
            out[name] = item["bucket"]
        elif item["type"] == "kms-alias":
            # A customer managed key under an alias the configuration names (alias/...), e.g. the state's key.
            kms = session.client("kms")
            key = kms.create_key(Description=f"e2e fixture {name}")["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=item["alias"], TargetKeyId=key)
            out[name] = item["alias"]
        else:
            raise SystemExit(f"unknown fixture type {item['type']}")
    print(json.dumps(out))


def inventory(regions):
    """Every resource an environment can own, listed through the AWS APIs, one "service kind id" a line.
    The tier lists them before apply (the baseline; listing is also the warm-up: a service's defaults
    appear on its first use) and after destroy: what is new is left over."""
    out = set()

    def add(service, kind, ids):
        out.update(f"{service} {kind} {i}" for i in ids)

    for region in regions:
        s = boto3.session.Session(region_name=region)
        ec2 = s.client("ec2")
        add("ec2", "vpc", [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")])
        add("ec2", "subnet", [x["SubnetId"] for x in ec2.describe_subnets()["Subnets"] if not x.get("DefaultForAz")])
        add("ec2", "security-group", [g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]])
        add("ec2", "internet-gateway", [g["InternetGatewayId"] for g in ec2.describe_internet_gateways()["InternetGateways"]])
        add("ec2", "nat-gateway", [g["NatGatewayId"] for g in ec2.describe_nat_gateways()["NatGateways"] if g["State"] not in ("deleted", "deleting")])
        add("ec2", "elastic-ip", [a.get("AllocationId") for a in ec2.describe_addresses()["Addresses"]])
        add("ec2", "route-table", [t["RouteTableId"] for t in ec2.describe_route_tables()["RouteTables"]])
        instances = [i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"] if i["State"]["Name"] not in ("terminated", "shutting-down")]
        group_of = lambda i: next((t["Value"] for t in i.get("Tags", []) if t["Key"] == "aws:autoscaling:groupName"), None)
        add("ec2", "instance", [f'{i["InstanceId"]} of {group_of(i)}' if group_of(i) else i["InstanceId"] for i in instances])
        add("ec2", "launch-template", [t["LaunchTemplateName"] for t in ec2.describe_launch_templates()["LaunchTemplates"]])
        add("ec2", "flow-log", [f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]])
        add("ec2", "key-pair", [k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"]])
        add("ec2", "network-acl", [a["NetworkAclId"] for a in ec2.describe_network_acls()["NetworkAcls"] if not a.get("IsDefault")])
        add("ec2", "vpc-endpoint", [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"].lower() != "deleted"])
        asg = s.client("autoscaling")
        add("autoscaling", "group", [g["AutoScalingGroupName"] for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]])
        add("autoscaling", "policy", [p["PolicyName"] for p in asg.describe_policies()["ScalingPolicies"]])
        elb = s.client("elbv2")
        add("elbv2", "load-balancer", [b["LoadBalancerName"] for b in elb.describe_load_balancers()["LoadBalancers"]])
        add("elbv2", "target-group", [t["TargetGroupName"] for t in elb.describe_target_groups()["TargetGroups"]])
        for balancer in elb.describe_load_balancers()["LoadBalancers"]:
            listeners = elb.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
            add("elbv2", "listener", [f'{balancer["LoadBalancerName"]} {x["Protocol"]}:{x["Port"]}' for x in listeners])
            for listener in listeners:
                rules = elb.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
                add("elbv2", "listener-rule", [f'{balancer["LoadBalancerName"]} {listener["Port"]} priority {r["Priority"]}' for r in rules if not r.get("IsDefault")])
        add("ecr", "repository", [r["repositoryName"] for r in s.client("ecr").describe_repositories()["repositories"]])
        kms = s.client("kms")
        add("kms", "key", [k["KeyId"] for k in kms.list_keys()["Keys"] if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] not in ("PendingDeletion",)])
        add("kms", "alias", [a["AliasName"] for a in kms.list_aliases()["Aliases"] if not a["AliasName"].startswith("alias/aws/")])
        add("sns", "topic", [t["TopicArn"] for t in s.client("sns").list_topics()["Topics"]])
        add("sns", "subscription", [f'{x["TopicArn"]} {x["Protocol"]} {x["Endpoint"]}' for x in s.client("sns").list_subscriptions()["Subscriptions"]])
        add("ssm", "parameter", [p["Name"] for p in s.client("ssm").describe_parameters()["Parameters"]])
        add("ssm", "association", [f'{x.get("AssociationName", "")} {x["AssociationId"]}' for x in s.client("ssm").list_associations()["Associations"]])
        add("logs", "log-group", [g["logGroupName"] for g in s.client("logs").describe_log_groups()["logGroups"]])
        add("cloudwatch", "alarm", [a["AlarmName"] for a in s.client("cloudwatch").describe_alarms()["MetricAlarms"]])
        add("codebuild", "project", s.client("codebuild").list_projects()["projects"])
        add("codedeploy", "application", s.client("codedeploy").list_applications()["applications"])
        add("codepipeline", "pipeline", [p["name"] for p in s.client("codepipeline").list_pipelines()["pipelines"]])
        add("events", "rule", [r["Name"] for r in s.client("events").list_rules()["Rules"]])
        ecs = s.client("ecs")
        clusters = ecs.list_clusters()["clusterArns"]
        add("ecs", "cluster", [c["clusterArn"] for c in (ecs.describe_clusters(clusters=clusters)["clusters"] if clusters else []) if c["status"] == "ACTIVE"])
        for cluster in clusters:
            add("ecs", "service", [x["serviceArn"] for x in (ecs.describe_services(cluster=cluster, services=ecs.list_services(cluster=cluster)["serviceArns"])["services"] if ecs.list_services(cluster=cluster)["serviceArns"] else []) if x["status"] == "ACTIVE"])
        add("ecs", "task-definition", ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"])
        add("ecs", "capacity-provider", [c["name"] for c in ecs.describe_capacity_providers()["capacityProviders"] if c["name"] not in ("FARGATE", "FARGATE_SPOT")])
        rds = s.client("rds")
        add("rds", "db-instance", [d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"]])
        add("rds", "db-subnet-group", [d["DBSubnetGroupName"] for d in rds.describe_db_subnet_groups()["DBSubnetGroups"]])
        add("rds", "db-parameter-group", [d["DBParameterGroupName"] for d in rds.describe_db_parameter_groups()["DBParameterGroups"] if not d["DBParameterGroupName"].startswith("default.")])
        add("secretsmanager", "secret", [x["Name"] for x in s.client("secretsmanager").list_secrets()["SecretList"]])
        add("acm", "certificate", [c["CertificateArn"] for c in s.client("acm").list_certificates()["CertificateSummaryList"]])
        aas = s.client("application-autoscaling")
        add("application-autoscaling", "target", [t["ResourceId"] for t in aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]])
        add("application-autoscaling", "policy", [f'{p["ResourceId"]} {p["PolicyName"]}' for p in aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]])
        add("codedeploy", "deployment-config", [c for c in s.client("codedeploy").list_deployment_configs()["deploymentConfigsList"] if not c.startswith("CodeDeployDefault.")])
        add("lambda", "function", [f["FunctionName"] for f in s.client("lambda").list_functions()["Functions"]])
    g = boto3.session.Session(region_name="us-east-1")
    iam = g.client("iam")
    add("iam", "role", [r["RoleName"] for r in iam.list_roles()["Roles"]])
    add("iam", "policy", [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]])
    add("iam", "instance-profile", [p["InstanceProfileName"] for p in iam.list_instance_profiles()["InstanceProfiles"]])
    add("iam", "oidc-provider", [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]])
    add("s3", "bucket", [b["Name"] for b in g.client("s3").list_buckets()["Buckets"]])
    add("cloudfront", "distribution", [d["Id"] for d in (g.client("cloudfront").list_distributions()["DistributionList"].get("Items") or [])])
    add("cloudfront", "origin-access-control", [o["Id"] for o in (g.client("cloudfront").list_origin_access_controls()["OriginAccessControlList"].get("Items") or [])])
    route53 = g.client("route53")
    for zone in route53.list_hosted_zones()["HostedZones"]:
        add("route53", "zone", [zone["Id"]])
        add("route53", "record", [f'{r["Name"]} {r["Type"]}' for r in route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"] if r["Type"] not in ("SOA", "NS")])
    print(json.dumps(sorted(out)))


def check_refresh(region, group_name, expected):
    """The instance refresh Terraform started after a launch template change (fleet.instanceRefresh):
    one refresh, to the group's new template version, with the configured preferences and alarms."""
    expected = json.loads(expected)
    asg = boto3.client("autoscaling", region_name=region)
    refreshes = asg.describe_instance_refreshes(AutoScalingGroupName=group_name)["InstanceRefreshes"]
    if len(refreshes) != 1:
        raise SystemExit(f"{group_name}: {len(refreshes)} instance refreshes after one template change; expected 1")
    refresh = refreshes[0]
    prefs = refresh.get("Preferences", {})
    wanted_alarms, prefix = expected.pop("alarms"), expected.pop("alarmPrefix")
    got = {k: prefs.get(k) for k in expected}
    if got != expected:
        raise SystemExit(f"{group_name}: refresh preferences {json.dumps(got)}; expected {json.dumps(expected)}")
    alarms = prefs.get("AlarmSpecification", {}).get("Alarms", [])
    if len(alarms) != wanted_alarms or any(not a.startswith(prefix) for a in alarms):
        raise SystemExit(f"{group_name}: refresh alarms {alarms}; expected {wanted_alarms} alarms of {prefix}*")
    # Provider 5.100 saves the new template version on the group (UpdateAutoScalingGroup) and then
    # starts the refresh; it names a desired configuration only with auto rollback
    # (hashicorp/terraform-provider-aws#31715), so the refresh rolls to what the group now has.
    version = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])["AutoScalingGroups"][0]["LaunchTemplate"]["Version"]
    if version in ("$Latest", "$Default", "1"):
        raise SystemExit(f"{group_name}: group at template version {version} after the template change; expected the new numbered version")
    desired = refresh.get("DesiredConfiguration", {}).get("LaunchTemplate", {}).get("Version")
    if desired != (version if expected["AutoRollback"] else None):
        raise SystemExit(f"{group_name}: refresh with desired template version {desired}; expected {version if expected['AutoRollback'] else 'none (no auto rollback)'}")
    print(json.dumps({"id": refresh["InstanceRefreshId"], "version": version, "alarms": alarms, "preferences": got}))


def main(argv):
    command = argv[0]
    if command == "release":
        release(*argv[1:4])
    elif command == "release-ecs":
        release_ecs(*argv[1:4])
    elif command == "inventory":
        inventory(argv[1:])
    elif command == "check-fleet":
        check_fleet(*argv[1:5])
    elif command == "check-refresh":
        check_refresh(*argv[1:4])
    elif command == "fixtures":
        fixtures(json.loads(argv[1]))
    elif command == "fleet":
        asg = boto3.client("autoscaling", region_name=argv[1])
        print(json.dumps([g["AutoScalingGroupName"] for g in fleet_groups(asg, argv[2])]))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
