"""Fleet reconciler: keeps CodeDeploy's copies of a blue/green fleet in line with Terraform.

CodeDeploy's blue/green deployments copy the fleet's Auto Scaling group on every release
(COPY_AUTO_SCALING_GROUP) and delete the original after the termination wait; the copies are not in
Terraform's state (terraform-provider-aws#4678). Terraform owns the *bootstrap* group while it lives
and this function owns the copies (docs/release-pipeline.md, "Fleet reconciler"):

* Terraform invokes it on every apply whose settings changed (aws_lambda_invocation, lifecycle
  scope CRUD): the settings reach the copies that serve now, so the next copy inherits them.
* EventBridge invokes it when a deployment of the fleet's deployment group succeeds: the new copy
  gets the settings CodeDeploy does not copy (scaling policies, notifications, target groups, the
  load balancer health check) and the alarms keyed by the group (CPU, memory,
  disk) follow it.
* Terraform invokes it on destroy: it deletes every copy and waits until they are gone, so the
  subnets and security groups they use can be deleted after it.
* With a test listener (settings `testTargetGroupArn`), every run but destroy also moves the test
  target group: attached to the copy of a deployment that waits before traffic moves (status Ready;
  CodeDeploy names the copy CodeDeploy_<deployment group>_<deployment id>), detached from every other
  group of the fleet. EventBridge runs it on READY, FAILURE and STOP too. `reconcile_group` leaves
  that target group alone, so the two never undo each other.

The settings come with Terraform's invocation (`settings`) and otherwise from the FLEET_SETTINGS
environment variable, which Terraform sets to the same JSON.
"""
import json
import os
import time

import boto3

FLEET_TAG = "app:fleet"
# Lambda's own limit is 15 minutes; deleting a group waits for its instances to terminate.
DELETE_TIMEOUT_SECONDS = int(os.environ.get("DELETE_TIMEOUT_SECONDS", "780"))
POLL_SECONDS = float(os.environ.get("POLL_SECONDS", "10"))


def handler(event, context=None):
    settings = event.get("settings") or json.loads(os.environ["FLEET_SETTINGS"])
    asg = boto3.client("autoscaling")
    tf = event.get("tf")
    if tf and tf.get("action") == "delete":
        return {"deleted": delete_copies(asg, settings)}
    detail = event.get("detail", {}) if event.get("source") == "aws.codedeploy" else {}
    if event.get("source") == "aws.codedeploy" and detail.get("deploymentGroup") != settings["deploymentGroupName"]:
        return {"ignored": f"{detail.get('deploymentGroup')} {detail.get('state')}"}
    test_traffic = sync_test_traffic(asg, settings, detail) if settings.get("testTargetGroupArn") else None
    if event.get("source") == "aws.codedeploy" and detail.get("state") != "SUCCESS":
        if test_traffic is not None:
            return {"testTraffic": test_traffic, "state": detail.get("state")}
        return {"ignored": f"{detail.get('deploymentGroup')} {detail.get('state')}"}
    # Only the live group: a copy CodeDeploy is still deploying to (green, before traffic moves) must
    # not get the target groups yet, and the original during the termination wait is going away.
    live = live_group(settings)
    copies = [g for g in fleet_groups(asg, settings) if g["AutoScalingGroupName"] == live and live != settings["bootstrapGroupName"]]
    for group in copies:
        reconcile_group(asg, settings, group)
    if live:
        for alarm_name in settings.get("groupAlarmNames", []):
            point_alarm_at(alarm_name, live)
    result = {"reconciled": [g["AutoScalingGroupName"] for g in copies], "live": live}
    if test_traffic is not None:
        result["testTraffic"] = test_traffic
    return result


def copy_name(settings, deployment_id):
    """The Auto Scaling group CodeDeploy creates for a blue/green deployment (COPY_AUTO_SCALING_GROUP)."""
    return f"CodeDeploy_{settings['deploymentGroupName']}_{deployment_id}"


def sync_test_traffic(asg, settings, detail):
    """The test target group on the copy of each deployment that waits before traffic moves, on no other group.

    The waiting deployments are the group's deployments with status Ready; the event's own deployment
    counts as waiting on READY and as ended on any other state (the list may lag behind the event).
    """
    arn = settings["testTargetGroupArn"]
    codedeploy = boto3.client("codedeploy")
    waiting = set()
    for page in codedeploy.get_paginator("list_deployments").paginate(
        applicationName=settings["applicationName"], deploymentGroupName=settings["deploymentGroupName"], includeOnlyStatuses=["Ready"]
    ):
        waiting.update(page.get("deployments", []))
    event_deployment = detail.get("deploymentId")
    if event_deployment:
        if detail.get("state") == "READY":
            waiting.add(event_deployment)
        else:
            waiting.discard(event_deployment)
    green = {copy_name(settings, d) for d in waiting}
    attached, detached = [], []
    for group in fleet_groups(asg, settings):
        name = group["AutoScalingGroupName"]
        has = arn in group.get("TargetGroupARNs", [])
        if name in green and not has:
            asg.attach_load_balancer_target_groups(AutoScalingGroupName=name, TargetGroupARNs=[arn])
            attached.append(name)
        elif name not in green and has:
            asg.detach_load_balancer_target_groups(AutoScalingGroupName=name, TargetGroupARNs=[arn])
            detached.append(name)
    return {"green": sorted(green), "attached": attached, "detached": detached}


def fleet_groups(asg, settings):
    groups = []
    for page in asg.get_paginator("describe_auto_scaling_groups").paginate(
        Filters=[{"Name": f"tag:{FLEET_TAG}", "Values": [settings["fleetTag"]]}]
    ):
        groups.extend(page["AutoScalingGroups"])
    return groups


def live_group(settings):
    """The group CodeDeploy deploys to next: the deployment group's, which CodeDeploy repoints at its copy."""
    codedeploy = boto3.client("codedeploy")
    info = codedeploy.get_deployment_group(
        applicationName=settings["applicationName"], deploymentGroupName=settings["deploymentGroupName"]
    )["deploymentGroupInfo"]
    names = [g["name"] for g in info.get("autoScalingGroups", [])]
    return names[0] if len(names) == 1 else None


def reconcile_group(asg, settings, group):
    name = group["AutoScalingGroupName"]
    desired = min(max(group["DesiredCapacity"], settings["minSize"]), settings["maxSize"])
    asg.update_auto_scaling_group(
        AutoScalingGroupName=name,
        MinSize=settings["minSize"],
        MaxSize=settings["maxSize"],
        DesiredCapacity=desired,
        VPCZoneIdentifier=",".join(settings["subnetIds"]),
        HealthCheckType=settings["healthCheckType"],
        HealthCheckGracePeriod=settings["healthCheckGracePeriod"],
        DefaultInstanceWarmup=settings["defaultInstanceWarmup"],
        TerminationPolicies=settings["terminationPolicies"],
        **launch_settings(settings),
    )
    reconcile_warm_pool(asg, settings, group)
    wanted = set(settings["targetGroupArns"])
    # The test target group is sync_test_traffic's: never attached nor detached here.
    attached = set(group.get("TargetGroupARNs", [])) - {settings.get("testTargetGroupArn")}
    if wanted - attached:
        asg.attach_load_balancer_target_groups(AutoScalingGroupName=name, TargetGroupARNs=sorted(wanted - attached))
    if attached - wanted:
        asg.detach_load_balancer_target_groups(AutoScalingGroupName=name, TargetGroupARNs=sorted(attached - wanted))
    asg.create_or_update_tags(
        Tags=[
            {"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": k, "Value": v, "PropagateAtLaunch": True}
            for k, v in sorted(settings["tags"].items())
        ]
    )
    asg.enable_metrics_collection(AutoScalingGroupName=name, Metrics=settings["enabledMetrics"], Granularity="1Minute")
    policies = {p["PolicyName"]: p for p in asg.describe_policies(AutoScalingGroupName=name)["ScalingPolicies"]}
    for policy in settings["scalingPolicies"]:
        asg.put_scaling_policy(
            AutoScalingGroupName=name,
            PolicyName=policy["name"],
            PolicyType="TargetTrackingScaling",
            TargetTrackingConfiguration=policy["targetTracking"],
        )
    for stale in sorted(set(policies) - {p["name"] for p in settings["scalingPolicies"]}):
        asg.delete_policy(AutoScalingGroupName=name, PolicyName=stale)
    if settings.get("notificationTopicArn"):
        asg.put_notification_configuration(
            AutoScalingGroupName=name, TopicARN=settings["notificationTopicArn"], NotificationTypes=settings["notificationTypes"]
        )


def launch_settings(settings):
    """How the copy launches: the launch template at $Latest, or the mixed instances policy that names it
    (On-Demand/Spot split, instance types) with Capacity Rebalancing. CodeDeploy's copy keeps the
    original's policy, but a configuration change after releases must still reach the live copy."""
    mixed = settings.get("mixedInstancesPolicy")
    if mixed:
        return {"MixedInstancesPolicy": mixed, "CapacityRebalance": bool(settings.get("capacityRebalance"))}
    return {"LaunchTemplate": {"LaunchTemplateId": settings["launchTemplateId"], "Version": "$Latest"}, "CapacityRebalance": False}


def reconcile_warm_pool(asg, settings, group):
    """The warm pool of the configuration on the live copy: CodeDeploy's copy has none of its own
    (the simulated release in __tests__/e2e/aws.py copies none either). PutWarmPool creates or updates;
    a warm pool the configuration no longer has is deleted with its instances."""
    wanted = settings.get("warmPool")
    current = group.get("WarmPoolConfiguration")
    name = group["AutoScalingGroupName"]
    if wanted:
        actual = {k: current.get(k) for k in ("PoolState", "MinSize", "MaxGroupPreparedCapacity", "InstanceReusePolicy")} if current else None
        if actual is not None and current.get("Status") != "PendingDelete" and {k: v for k, v in actual.items() if v is not None} == wanted:
            return
        asg.put_warm_pool(AutoScalingGroupName=name, **wanted)
    elif current and current.get("Status") != "PendingDelete":
        asg.delete_warm_pool(AutoScalingGroupName=name, ForceDelete=True)


def point_alarm_at(alarm_name, group_name):
    """An alarm keyed by the group (CPU, memory, disk) watches the live group: a deployment alarm
    must not watch a deleted one, and a notifying one would go quiet for good."""
    cloudwatch = boto3.client("cloudwatch")
    alarms = cloudwatch.describe_alarms(AlarmNames=[alarm_name], AlarmTypes=["MetricAlarm"])["MetricAlarms"]
    if not alarms:
        return
    alarm = alarms[0]
    if alarm.get("Dimensions") == [{"Name": "AutoScalingGroupName", "Value": group_name}]:
        return
    keys = [
        "AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "InsufficientDataActions",
        "MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Unit", "Period", "EvaluationPeriods", "DatapointsToAlarm", "Threshold",
        "ComparisonOperator", "TreatMissingData",
    ]
    request = {k: alarm[k] for k in keys if k in alarm}
    request["Dimensions"] = [{"Name": "AutoScalingGroupName", "Value": group_name}]
    # PutMetricAlarm replaces the whole alarm but keeps its tags (it ignores Tags on an update).
    cloudwatch.put_metric_alarm(**request)


def delete_copies(asg, settings):
    copies = [g["AutoScalingGroupName"] for g in fleet_groups(asg, settings) if g["AutoScalingGroupName"] != settings["bootstrapGroupName"]]
    for name in copies:
        # ForceDelete terminates the instances with the group (they are not in Terraform's state), and
        # deletes its warm pool with them ("If the group has a warm pool, the force delete option also
        # deletes the warm pool": https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DeleteAutoScalingGroup.html).
        asg.delete_auto_scaling_group(AutoScalingGroupName=name, ForceDelete=True)
    deadline = time.monotonic() + DELETE_TIMEOUT_SECONDS
    while copies:
        remaining = [g["AutoScalingGroupName"] for g in fleet_groups(asg, settings) if g["AutoScalingGroupName"] in copies]
        if not remaining:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"still deleting {remaining} after {DELETE_TIMEOUT_SECONDS} s; run terraform destroy again")
        time.sleep(POLL_SECONDS)
    return sorted(copies)
