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
    if event.get("source") == "aws.codedeploy":
        detail = event.get("detail", {})
        if detail.get("deploymentGroup") != settings["deploymentGroupName"] or detail.get("state") != "SUCCESS":
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
    return {"reconciled": [g["AutoScalingGroupName"] for g in copies], "live": live}


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
        LaunchTemplate={"LaunchTemplateId": settings["launchTemplateId"], "Version": "$Latest"},
    )
    wanted = set(settings["targetGroupArns"])
    attached = set(group.get("TargetGroupARNs", []))
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
        # ForceDelete terminates the instances with the group (they are not in Terraform's state).
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
