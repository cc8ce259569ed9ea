"""CodeDeploy's predefined ECS deployment configurations, which moto 5.2.1 does not know.

GetDeploymentConfig of CodeDeployDefault.ECSAllAtOnce, ECSCanary10Percent5Minutes, ...15Minutes,
ECSLinear10PercentEvery1Minutes and ...3Minutes answers DeploymentConfigDoesNotExistException (after
codedeploy_deployment_configs.py, which serves the Server ones): the simulated ECS release
(aws.py release-ecs) reads the configuration's traffic routing to shift traffic in its steps. Served
as CodeDeploy describes them (computePlatform ECS, trafficRoutingConfig with TimeBasedCanary /
TimeBasedLinear / AllAtOnce: https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html).
"""
import json

from moto.codedeploy.responses import CodeDeployResponse


def _canary(percentage, minutes):
    return {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": percentage, "canaryInterval": minutes}}


def _linear(percentage, minutes):
    return {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": percentage, "linearInterval": minutes}}


_ECS = {
    "CodeDeployDefault.ECSAllAtOnce": {"type": "AllAtOnce"},
    "CodeDeployDefault.ECSCanary10Percent5Minutes": _canary(10, 5),
    "CodeDeployDefault.ECSCanary10Percent15Minutes": _canary(10, 15),
    "CodeDeployDefault.ECSLinear10PercentEvery1Minutes": _linear(10, 1),
    "CodeDeployDefault.ECSLinear10PercentEvery3Minutes": _linear(10, 3),
}

_get = CodeDeployResponse.get_deployment_config
_list = CodeDeployResponse.list_deployment_configs


def get_deployment_config(self):
    name = self._get_param("deploymentConfigName")
    if name in _ECS:
        return json.dumps({"deploymentConfigInfo": {"deploymentConfigId": name, "deploymentConfigName": name, "computePlatform": "ECS", "trafficRoutingConfig": _ECS[name], "createTime": 0}})
    return _get(self)


def list_deployment_configs(self):
    listed = json.loads(_list(self))
    listed["deploymentConfigsList"] = sorted(set(listed["deploymentConfigsList"]) | set(_ECS))
    return json.dumps(listed)


CodeDeployResponse.get_deployment_config = get_deployment_config
CodeDeployResponse.list_deployment_configs = list_deployment_configs
