"""Runs templates/fleet/reconciler.py against in-memory Auto Scaling and CodeDeploy stand-ins.

  python3 reconciler_harness.py <reconciler.py> <scenario JSON>

The scenario: {"settings": {...}, "groups": [{"AutoScalingGroupName", "TargetGroupARNs", "DesiredCapacity"}],
"ready": [deployment ids with status Ready], "live": <the deployment group's Auto Scaling group>,
"event": {...}, "call": "handler" | "reconcile_group"}. Prints {"result", "calls", "groups"}: every
mutating call in order and the target groups of each group afterwards (__tests__/fleet-reconciler.test.ts).
"""
import importlib.util
import json
import sys
import types

calls = []


class Pages:
    def __init__(self, pages):
        self.pages = pages

    def paginate(self, **kwargs):
        calls.append(["paginate", kwargs])
        return self.pages


class AutoScaling:
    def __init__(self, groups):
        self.groups = {g["AutoScalingGroupName"]: g for g in groups}

    def get_paginator(self, name):
        assert name == "describe_auto_scaling_groups", name
        return Pages([{"AutoScalingGroups": [json.loads(json.dumps(g)) for g in self.groups.values()]}])

    def attach_load_balancer_target_groups(self, AutoScalingGroupName, TargetGroupARNs):
        calls.append(["attach", AutoScalingGroupName, TargetGroupARNs])
        self.groups[AutoScalingGroupName]["TargetGroupARNs"] = sorted(set(self.groups[AutoScalingGroupName]["TargetGroupARNs"]) | set(TargetGroupARNs))

    def detach_load_balancer_target_groups(self, AutoScalingGroupName, TargetGroupARNs):
        calls.append(["detach", AutoScalingGroupName, TargetGroupARNs])
        self.groups[AutoScalingGroupName]["TargetGroupARNs"] = sorted(set(self.groups[AutoScalingGroupName]["TargetGroupARNs"]) - set(TargetGroupARNs))

    def describe_policies(self, AutoScalingGroupName):
        return {"ScalingPolicies": []}

    def __getattr__(self, name):
        # update_auto_scaling_group, create_or_update_tags, ...: recorded by name only.
        return lambda **kwargs: calls.append([name]) or {}


class CodeDeploy:
    def __init__(self, ready, live):
        self.ready, self.live = ready, live

    def get_paginator(self, name):
        assert name == "list_deployments", name
        return Pages([{"deployments": self.ready}])

    def get_deployment_group(self, applicationName, deploymentGroupName):
        return {"deploymentGroupInfo": {"autoScalingGroups": [{"name": self.live}] if self.live else []}}


class CloudWatch:
    def describe_alarms(self, **kwargs):
        return {"MetricAlarms": []}


def main(source, scenario):
    scenario = json.loads(scenario)
    asg = AutoScaling(scenario["groups"])
    codedeploy = CodeDeploy(scenario.get("ready", []), scenario.get("live"))
    clients = {"autoscaling": asg, "codedeploy": codedeploy, "cloudwatch": CloudWatch()}
    sys.modules["boto3"] = types.SimpleNamespace(client=lambda service: clients[service])
    spec = importlib.util.spec_from_file_location("reconciler", source)
    reconciler = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reconciler)
    if scenario.get("call") == "reconcile_group":
        result = reconciler.reconcile_group(asg, scenario["settings"], scenario["groups"][0])
    else:
        result = reconciler.handler({**scenario.get("event", {}), "settings": scenario["settings"]})
    print(json.dumps({"result": result, "calls": calls, "groups": {n: g["TargetGroupARNs"] for n, g in asg.groups.items()}}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
