"""CodeDeploy gaps of moto 5.2.1."""
import json
import time

from moto.codedeploy import models
from moto.codedeploy.exceptions import DeploymentGroupAlreadyExistsException
from moto.codedeploy.responses import CodeDeployResponse

# createTime (applications, deployments) comes back as an ISO string; the API and the provider's SDK
# expect epoch seconds ("expected Timestamp to be a JSON Number, got string instead").
for cls in (models.Application, models.DeploymentInfo):
    def _init(self, *args, __init=cls.__init__, **kwargs):
        __init(self, *args, **kwargs)
        self.create_time = time.time()

    cls.__init__ = _init

# GetDeploymentGroup returns autoScalingGroups as plain names (AWS: objects with name and hook, "unexpected
# JSON type") and alarmConfiguration as {} whatever was set ("TODO"), which would read back as a diff.
_to_dict = models.DeploymentGroup.to_dict


def _group_to_dict(self):
    out = _to_dict(self)
    out["autoScalingGroups"] = [
        {"name": name, "hook": f"CodeDeploy-managed-automatic-launch-deployment-hook-{self.deployment_group_name}-{self.deployment_group_id[:8]}"}
        for name in self.auto_scaling_groups
    ]
    out["alarmConfiguration"] = self.alarm_configuration or {"enabled": False, "alarms": [], "ignorePollAlarmFailure": False}
    for key in ("targetRevision", "lastSuccessfulDeployment", "lastAttemptedDeployment"):
        out.pop(key, None)
    return out


models.DeploymentGroup.to_dict = _group_to_dict

# UpdateDeploymentGroup, DeleteDeploymentGroup and DeleteApplication are missing (NotImplementedError):
# a changed group, and every destroy, would fail. CodeDeploy itself calls the update's equivalent when a
# blue/green deployment replaces the group's Auto Scaling group.
_FIELDS = {
    "deploymentConfigName": "deployment_config_name",
    "ec2TagFilters": "ec2_tag_filters",
    "onPremisesInstanceTagFilters": "on_premises_instance_tag_filters",
    "autoScalingGroups": "auto_scaling_groups",
    "serviceRoleArn": "service_role_arn",
    "triggerConfigurations": "trigger_configurations",
    "alarmConfiguration": "alarm_configuration",
    "autoRollbackConfiguration": "auto_rollback_configuration",
    "outdatedInstancesStrategy": "outdated_instances_strategy",
    "deploymentStyle": "deployment_style",
    "blueGreenDeploymentConfiguration": "blue_green_deployment_configuration",
    "loadBalancerInfo": "load_balancer_info",
    "ec2TagSet": "ec2_tag_set",
    "ecsServices": "ecs_services",
    "onPremisesTagSet": "on_premises_tag_set",
    "terminationHookEnabled": "termination_hook_enabled",
}


def update_deployment_group(self):
    backend = self.codedeploy_backend
    app = self._get_param("applicationName")
    current = self._get_param("currentDeploymentGroupName")
    group = backend.get_deployment_group(app, current)
    for param, attribute in _FIELDS.items():
        value = self._get_param(param)
        if value is not None:
            setattr(group, attribute, value)
    new_name = self._get_param("newDeploymentGroupName")
    if new_name and new_name != current:
        if new_name in backend.deployment_groups[app]:
            raise DeploymentGroupAlreadyExistsException(f"Deployment group {new_name} already exists.")
        backend.deployment_groups[app][new_name] = backend.deployment_groups[app].pop(current)
        group.deployment_group_name = new_name
    return json.dumps({"hooksNotCleanedUp": []})


def delete_deployment_group(self):
    backend = self.codedeploy_backend
    app = self._get_param("applicationName")
    backend.get_deployment_group(app, self._get_param("deploymentGroupName"))
    backend.deployment_groups[app].pop(self._get_param("deploymentGroupName"))
    return json.dumps({"hooksNotCleanedUp": []})


def delete_application(self):
    backend = self.codedeploy_backend
    name = self._get_param("applicationName")
    backend.applications.pop(name, None)
    backend.deployment_groups.pop(name, None)
    return "{}"


CodeDeployResponse.update_deployment_group = update_deployment_group
CodeDeployResponse.delete_deployment_group = delete_deployment_group
CodeDeployResponse.delete_application = delete_application
