"""RDS DB instance gaps of moto 5.2.1."""
import random
import string

from moto.rds import models as rds_models

# Every DB instance gets the same DbiResourceId ("db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U", hard-coded in
# DBInstance.__init__); RDS gives each its own. The provider finds an aws_db_instance by that id (its
# Terraform id since v5, DescribeDBInstances with the dbi-resource-id filter): with two environments'
# databases in one account the lookup matched both, "too many results" counted as not found, and the
# apply failed after 5 minutes ("waiting for RDS DB Instance (<name>) update: couldn't find resource").
_init = rds_models.DBInstance.__init__


def _db_instance_init(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    self.dbi_resource_id = "db-" + "".join(random.choice(string.ascii_uppercase + string.digits) for _ in range(26))


rds_models.DBInstance.__init__ = _db_instance_init

# CreateDBInstance drops MonitoringInterval, MonitoringRoleArn, EnablePerformanceInsights,
# PerformanceInsightsKMSKeyId and PerformanceInsightsRetentionPeriod (DBInstance.__init__ swallows
# them; ModifyDBInstance stores some under the request's names, never as PerformanceInsightsEnabled):
# a perpetual "monitoring_interval = 0 -> 60", "performance_insights_enabled = false -> true".
_init_with_id = rds_models.DBInstance.__init__


def _db_instance_init_monitoring(self, *args, **kwargs):
    _init_with_id(self, *args, **kwargs)
    self.monitoring_interval = int(kwargs.get("monitoring_interval") or 0)
    self.monitoring_role_arn = kwargs.get("monitoring_role_arn")
    _performance_insights(self, kwargs)


def _performance_insights(self, kwargs):
    enabled = kwargs.get("enable_performance_insights")
    if enabled is not None:
        self.performance_insights_enabled = str(enabled).lower() == "true"
    elif not hasattr(self, "performance_insights_enabled"):
        self.performance_insights_enabled = False
    if self.performance_insights_enabled:
        if kwargs.get("performance_insights_kms_key_id"):
            self.performance_insights_kms_key_id = kwargs["performance_insights_kms_key_id"]
        period = kwargs.get("performance_insights_retention_period")
        self.performance_insights_retention_period = int(period) if period is not None else getattr(self, "performance_insights_retention_period", None) or 7


rds_models.DBInstance.__init__ = _db_instance_init_monitoring

_update = rds_models.DBInstance.update


def _db_instance_update(self, *args, **kwargs):
    _update(self, *args, **kwargs)
    if "monitoring_interval" in kwargs and kwargs["monitoring_interval"] is not None:
        self.monitoring_interval = int(kwargs["monitoring_interval"])
    _performance_insights(self, kwargs)


rds_models.DBInstance.update = _db_instance_update

# ModifyDBParameterGroup stores a parameter as sent, without Source; RDS describes a parameter set
# on the group as Source "user". The provider keeps only parameters that have a Source, so it read
# rds.force_ssl back as missing: a perpetual "+ parameter { name = "rds.force_ssl" }".
_update_parameters = rds_models.DBParameterGroup.update_parameters


def _update_parameters_user(self, new_parameters):
    new_parameters = list(new_parameters)
    _update_parameters(self, new_parameters)
    for parameter in new_parameters:
        self.parameters[parameter["ParameterName"]].setdefault("Source", "user")


rds_models.DBParameterGroup.update_parameters = _update_parameters_user
