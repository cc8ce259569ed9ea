"""StartInstanceRefresh and DescribeInstanceRefreshes are missing from moto 5.2.1 (HTTP 500 NotImplemented).

Terraform calls StartInstanceRefresh when the launch template of a group with an `instance_refresh`
block changes (provider 5.100 resourceGroupUpdate), and the provider retries a 500 for ever. This
patch records the refresh with its preferences and desired configuration, and refuses what the EC2
Auto Scaling API reference refuses, so the emulator tier would catch a preference AWS rejects:
- RefreshPreferences (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html):
  MinHealthyPercentage 0-100, MaxHealthyPercentage 100-200 and at most MinHealthyPercentage + 100,
  CheckpointDelay 0-172800 and only with CheckpointPercentages, CheckpointPercentages unique and
  ascending, AutoRollback not without a desired configuration (the error text of
  hashicorp/terraform-provider-aws#29830), nor with a `$Latest`/`$Default` version or a template whose
  image is `resolve:ssm:` (IrreversibleInstanceRefresh, API_RollbackInstanceRefresh.html);
- AlarmSpecification: at most 10 alarms (API_AlarmSpecification.html), each an existing alarm.
There are no instances to replace in moto: the refresh is recorded as Successful at once (no
refresh is then in progress, so InstanceRefreshInProgress never arises).
"""
import uuid
from datetime import datetime, timezone

from moto.autoscaling.exceptions import AutoscalingClientError, ValidationError
from moto.autoscaling.responses import AutoScalingResponse
from moto.core.responses import ActionResult


class IrreversibleInstanceRefresh(AutoscalingClientError):
    code = "IrreversibleInstanceRefresh"


# moto finds an error's service (and so its wire format) by the module of its class.
IrreversibleInstanceRefresh.__module__ = AutoscalingClientError.__module__


def _refreshes(backend):
    if not hasattr(backend, "_e2e_instance_refreshes"):
        backend._e2e_instance_refreshes = {}
    return backend._e2e_instance_refreshes


def _int(value):
    return None if value is None else int(value)


def _template_image(self, spec):
    """The ImageId of the launch template version `spec` names (LaunchTemplateId/Name, Version)."""
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[self.current_account][self.region]
    template_id, name = spec.get("LaunchTemplateId"), spec.get("LaunchTemplateName")
    template = ec2.launch_templates.get(template_id) if template_id else ec2.get_launch_template_by_name(name) if name else None
    if template is None:
        return None
    version = str(spec.get("Version") or "$Default")
    found = template.latest_version() if version == "$Latest" else template.default_version() if version == "$Default" else template.get_version(version)
    return (found.data or {}).get("ImageId") if found is not None else None


def start_instance_refresh(self):
    backend = self.autoscaling_backend
    name = self._get_param("AutoScalingGroupName")
    if name not in backend.autoscaling_groups:
        raise ValidationError(f"AutoScalingGroup name not found - {name}")
    strategy = self._get_param("Strategy") or "Rolling"
    if strategy != "Rolling":
        raise ValidationError(f"Strategy {strategy} is not valid; the only strategy is Rolling")
    prefs = self._get_param("Preferences") or {}
    desired = self._get_param("DesiredConfiguration") or {}
    low, high = _int(prefs.get("MinHealthyPercentage")), _int(prefs.get("MaxHealthyPercentage"))
    if low is not None and not 0 <= low <= 100:
        raise ValidationError(f"MinHealthyPercentage {low} is outside 0 to 100")
    if high is not None and not 100 <= high <= 200:
        raise ValidationError(f"MaxHealthyPercentage {high} is outside 100 to 200")
    if high is not None and high - (90 if low is None else low) > 100:
        raise ValidationError("The difference between MaxHealthyPercentage and MinHealthyPercentage cannot be greater than 100")
    checkpoints = [int(p) for p in prefs.get("CheckpointPercentages") or []]
    delay = _int(prefs.get("CheckpointDelay"))
    if delay is not None and not checkpoints:
        raise ValidationError("CheckpointDelay requires CheckpointPercentages")
    if delay is not None and not 0 <= delay <= 172800:
        raise ValidationError(f"CheckpointDelay {delay} is outside 0 to 172800")
    if any(b <= a for a, b in zip(checkpoints, checkpoints[1:])) or any(not 1 <= p <= 100 for p in checkpoints):
        raise ValidationError(f"CheckpointPercentages {checkpoints} must be unique, ascending, from 1 to 100")
    alarms = list((prefs.get("AlarmSpecification") or {}).get("Alarms") or [])
    if len(alarms) > 10:
        raise ValidationError(f"AlarmSpecification takes at most 10 alarms, received {len(alarms)}")
    if alarms:
        from moto.cloudwatch.models import cloudwatch_backends

        known = set(cloudwatch_backends[self.current_account][self.region].alarms)
        missing = [a for a in alarms if a not in known]
        if missing:
            raise ValidationError(f"The alarms {missing} do not exist")
    if str(prefs.get("AutoRollback", "false")).lower() == "true":
        spec = (desired.get("LaunchTemplate") or ((desired.get("MixedInstancesPolicy") or {}).get("LaunchTemplate") or {}).get("LaunchTemplateSpecification")) if desired else None
        if not spec:
            raise ValidationError(
                "The request isn't valid. The AutoRollback parameter cannot be set to true when the DesiredConfiguration parameter is empty. Set AutoRollback to false or specify a desired configuration and try again."
            )
        if str(spec.get("Version") or "$Default") in ("$Latest", "$Default"):
            raise IrreversibleInstanceRefresh("A rollback is not supported when the Auto Scaling group uses the launch template's $Latest or $Default version")
        if str(_template_image(self, spec) or "").startswith("resolve:ssm:"):
            raise IrreversibleInstanceRefresh("A rollback is not supported when the launch template uses a Systems Manager parameter instead of an AMI ID")
    refresh_id = str(uuid.uuid4())
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    _refreshes(backend).setdefault(name, []).insert(
        0,
        {
            "InstanceRefreshId": refresh_id,
            "AutoScalingGroupName": name,
            "Status": "Successful",
            "StatusReason": "moto replaces no instances",
            "StartTime": now,
            "EndTime": now,
            "PercentageComplete": 100,
            "InstancesToUpdate": 0,
            "Preferences": prefs,
            "DesiredConfiguration": desired,
            "Strategy": strategy,
        },
    )
    return ActionResult({"InstanceRefreshId": refresh_id})


def describe_instance_refreshes(self):
    name = self._get_param("AutoScalingGroupName")
    wanted = set(self._get_param("InstanceRefreshIds", []) or [])
    found = [r for r in _refreshes(self.autoscaling_backend).get(name, []) if not wanted or r["InstanceRefreshId"] in wanted]
    return ActionResult({"InstanceRefreshes": found})


AutoScalingResponse.start_instance_refresh = start_instance_refresh
AutoScalingResponse.describe_instance_refreshes = describe_instance_refreshes
