"""ECS service gaps of moto 5.2.1 (CreateService / DescribeServices)."""
from botocore import xform_name
from moto.ecs import models
from moto.ecs.responses import EC2ContainerServiceResponse

# A service created without networkConfiguration (bridge or host network mode) is described with
# "networkConfiguration": {} where AWS leaves the member out; the AWS provider then dereferences the
# absent awsvpcConfiguration and crashes (panic in flattenNetworkConfiguration, "The
# terraform-provider-aws plugin crashed!" on aws_ecs_service).
_service_init = models.Service.__init__


def _service(self, *args, **kwargs):
    _service_init(self, *args, **kwargs)
    if self.network_configuration == {}:
        self.network_configuration = None


models.Service.__init__ = _service

# CreateService drops what it has no parameter for: capacityProviderStrategy, deploymentConfiguration
# (maximum/minimum percent, circuit breaker), healthCheckGracePeriodSeconds, enableECSManagedTags,
# placementStrategy, placementConstraints, enableExecuteCommand, availabilityZoneRebalancing. The
# service is then described without them: a perpetual diff on every one of them. Kept as sent, under
# the attribute names moto's serializer reads (UpdateService already stores its parameters that way).
_KEPT = [
    "capacityProviderStrategy",
    "deploymentConfiguration",
    "healthCheckGracePeriodSeconds",
    "enableECSManagedTags",
    "placementStrategy",
    "placementConstraints",
    "enableExecuteCommand",
    "availabilityZoneRebalancing",
]
_create_service = EC2ContainerServiceResponse.create_service


def create_service(self):
    result = _create_service(self)
    service = self.ecs_backend._get_service(self._get_param("cluster", "default"), self._get_param("serviceName"))
    for key in _KEPT:
        value = self._get_param(key)
        if value is not None:
            setattr(service, xform_name(key), value)
    return result


EC2ContainerServiceResponse.create_service = create_service
