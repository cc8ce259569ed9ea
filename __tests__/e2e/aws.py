"""What the emulator tier does through the AWS API (boto3, from the Python that runs moto).

  python3 aws.py release <region> <app> <group>
                                             one blue/green release as CodeDeploy does it (COPY_AUTO_SCALING_GROUP)
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
    if "MixedInstancesPolicy" in original:
        args["MixedInstancesPolicy"] = original["MixedInstancesPolicy"]
    args["Tags"] = [
        {"Key": t["Key"], "Value": t["Value"], "PropagateAtLaunch": t["PropagateAtLaunch"], "ResourceId": copy, "ResourceType": "auto-scaling-group"}
        for t in original.get("Tags", [])
    ]
    asg.create_auto_scaling_group(AutoScalingGroupName=copy, **args)
    codedeploy.update_deployment_group(applicationName=app, currentDeploymentGroupName=group_name, autoScalingGroups=[copy])
    asg.delete_auto_scaling_group(AutoScalingGroupName=original["AutoScalingGroupName"], ForceDelete=True)
    reconciled = deployment_succeeded(session, app, group_name)
    print(json.dumps({"original": original["AutoScalingGroupName"], "copy": copy, "reconciled": reconciled}))


def deployment_succeeded(session, app, group_name):
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
    event = {
        "version": "0", "source": "aws.codedeploy", "detail-type": "CodeDeploy Deployment State-change Notification",
        "region": session.region_name,
        "detail": {"application": app, "deploymentGroup": group_name, "state": "SUCCESS", "deploymentId": "d-E2E"},
    }
    answer = session.client("lambda").invoke(FunctionName=target[0]["Arn"], Payload=json.dumps(event).encode())
    payload = answer["Payload"].read().decode()
    if answer.get("FunctionError"):
        raise SystemExit(f"the fleet reconciler failed on the deployment's success event: {payload}")
    return json.loads(payload)


def check_fleet(region, app, group_name, expected):
    """The live group (the deployment group's) has the settings of the configuration."""
    expected = json.loads(expected)
    session = boto3.session.Session(region_name=region)
    codedeploy, asg, ec2 = session.client("codedeploy"), session.client("autoscaling"), session.client("ec2")
    names = [g["name"] for g in codedeploy.get_deployment_group(applicationName=app, deploymentGroupName=group_name)["deploymentGroupInfo"]["autoScalingGroups"]]
    if len(names) != 1:
        raise SystemExit(f"the deployment group targets {names}: the live group is ambiguous")
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=names)["AutoScalingGroups"][0]
    template = group["LaunchTemplate"]
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
    }
    wrong = {k: (actual.get(k), v) for k, v in expected.items() if actual.get(k) != v}
    if wrong:
        raise SystemExit(f"live group {names[0]} differs from the configuration (actual, expected): {json.dumps(wrong)}")
    print(json.dumps({"group": names[0], **actual}))


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


def main(argv):
    command = argv[0]
    if command == "release":
        release(*argv[1:4])
    elif command == "inventory":
        inventory(argv[1:])
    elif command == "check-fleet":
        check_fleet(*argv[1:5])
    elif command == "fixtures":
        fixtures(json.loads(argv[1]))
    elif command == "fleet":
        asg = boto3.client("autoscaling", region_name=argv[1])
        print(json.dumps([g["AutoScalingGroupName"] for g in fleet_groups(asg, argv[2])]))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
