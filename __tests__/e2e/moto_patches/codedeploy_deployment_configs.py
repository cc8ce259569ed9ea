"""CodeDeploy deployment configurations, which moto 5.2.1 does not serve at all.

CreateDeploymentConfig, GetDeploymentConfig, DeleteDeploymentConfig and ListDeploymentConfigs raise
NotImplementedError (HTTP 500): an in-place deployment group with its own minimum of healthy hosts
(aws_codedeploy_deployment_config) never finished creating ("Still creating..." while the provider
retried the 500). Kept per backend as CodeDeploy keeps them: name, id, compute platform and whatever
the request set (minimumHealthyHosts, trafficRoutingConfig, zonalConfig), echoed back unchanged; the
predefined CodeDeployDefault.* configurations are listed and described too, and cannot be deleted.
"""
import json
import time
import uuid

from moto.codedeploy.exceptions import CodeDeployException
from moto.codedeploy.responses import CodeDeployResponse


class _Error(CodeDeployException):
    code = 400

    def __init__(self, kind, message):
        super().__init__(kind, message)


_PREDEFINED = {
    "CodeDeployDefault.OneAtATime": ("Server", {"type": "HOST_COUNT", "value": 1}),
    "CodeDeployDefault.HalfAtATime": ("Server", {"type": "FLEET_PERCENT", "value": 50}),
    "CodeDeployDefault.AllAtOnce": ("Server", {"type": "HOST_COUNT", "value": 0}),
}


def _configs(backend):
    if not hasattr(backend, "_e2e_deployment_configs"):
        backend._e2e_deployment_configs = {}
    return backend._e2e_deployment_configs


def create_deployment_config(self):
    configs = _configs(self.codedeploy_backend)
    name = self._get_param("deploymentConfigName")
    if name in configs or name in _PREDEFINED:
        raise _Error("DeploymentConfigAlreadyExistsException", f"Deployment config {name} already exists.")
    info = {
        "deploymentConfigId": str(uuid.uuid4()),
        "deploymentConfigName": name,
        "computePlatform": self._get_param("computePlatform") or "Server",
        "createTime": time.time(),
    }
    for key in ("minimumHealthyHosts", "trafficRoutingConfig", "zonalConfig"):
        if self._get_param(key) is not None:
            info[key] = self._get_param(key)
    configs[name] = info
    return json.dumps({"deploymentConfigId": info["deploymentConfigId"]})


def get_deployment_config(self):
    name = self._get_param("deploymentConfigName")
    info = _configs(self.codedeploy_backend).get(name)
    if info is None and name in _PREDEFINED:
        platform, hosts = _PREDEFINED[name]
        info = {"deploymentConfigId": name, "deploymentConfigName": name, "computePlatform": platform, "minimumHealthyHosts": hosts, "createTime": 0}
    if info is None:
        raise _Error("DeploymentConfigDoesNotExistException", f"The deployment configuration {name} does not exist with the applicable IAM user or AWS account.")
    return json.dumps({"deploymentConfigInfo": info})


def delete_deployment_config(self):
    name = self._get_param("deploymentConfigName")
    if name in _PREDEFINED:
        raise _Error("InvalidOperationException", f"The deployment configuration {name} is predefined and cannot be deleted.")
    _configs(self.codedeploy_backend).pop(name, None)
    return "{}"


def list_deployment_configs(self):
    return json.dumps({"deploymentConfigsList": sorted(_PREDEFINED) + sorted(_configs(self.codedeploy_backend))})


CodeDeployResponse.create_deployment_config = create_deployment_config
CodeDeployResponse.get_deployment_config = get_deployment_config
CodeDeployResponse.delete_deployment_config = delete_deployment_config
CodeDeployResponse.list_deployment_configs = list_deployment_configs
