"""SSM State Manager association gaps of moto 5.2.1."""
import datetime
import uuid

from moto.core.responses import ActionResult, EmptyResult
from moto.ssm import models as ssm_models
from moto.ssm.exceptions import SSMException
from moto.ssm.responses import SimpleSystemManagerResponse

# CreateAssociation, DescribeAssociation, UpdateAssociation, DeleteAssociation and ListAssociations
# raise NotImplementedError (HTTP 500: "The create_association action has not been implemented"), so
# aws_ssm_association (codedeployAgent.install: ssm-association) never finished creating. Kept per
# backend, as State Manager keeps them; tags of an association (ResourceType "Association") are kept
# with moto's other SSM tags, which moto otherwise refuses ("Invalid Resource Type").
_FIELDS = [
    "Name", "AssociationName", "DocumentVersion", "Parameters", "Targets", "ScheduleExpression", "ScheduleOffset",
    "OutputLocation", "ComplianceSeverity", "MaxConcurrency", "MaxErrors", "ApplyOnlyAtCronInterval",
    "SyncCompliance", "AutomationTargetParameterName", "CalendarNames", "TargetLocations", "TargetMaps",
    "AlarmConfiguration", "Duration", "InstanceId",
]


# Errors raised from here must name moto's ssm package: moto picks the error's service model from the
# exception's module, and "moto_patches.<file>" (it starts with "moto") is no service (HTTP 500).
class AssociationDoesNotExist(SSMException):
    __module__ = "moto.ssm.exceptions"

    def __init__(self):
        super().__init__("AssociationDoesNotExist", "The specified association does not exist.")


class AssociationAlreadyExists(SSMException):
    __module__ = "moto.ssm.exceptions"

    def __init__(self):
        super().__init__("AssociationAlreadyExists", "The specified association already exists.")


def _associations(backend):
    if not hasattr(backend, "_e2e_associations"):
        backend._e2e_associations = {}
    return backend._e2e_associations


def _get(backend, association_id):
    association = _associations(backend).get(association_id)
    if association is None:
        raise AssociationDoesNotExist()
    return association


def _described(association):
    return {k: v for k, v in association.items() if v is not None}


def create_association(self):
    backend = self.ssm_backend
    name = self._get_param("AssociationName")
    if name and any(a.get("AssociationName") == name for a in _associations(backend).values()):
        raise AssociationAlreadyExists()
    now = datetime.datetime.now(datetime.timezone.utc)
    association = {field: self._get_param(field) for field in _FIELDS}
    association.update(
        AssociationId=str(uuid.uuid4()),
        AssociationVersion="1",
        Date=now,
        LastUpdateAssociationDate=now,
        Overview={"Status": "Pending", "DetailedStatus": "Creating"},
        Status={"Date": now, "Name": "Pending", "Message": "Associated with " + (association["Name"] or "")},
    )
    association["DocumentVersion"] = association["DocumentVersion"] or "$DEFAULT"
    if association["ApplyOnlyAtCronInterval"] is None:
        association["ApplyOnlyAtCronInterval"] = False
    _associations(backend)[association["AssociationId"]] = association
    tags = {t["Key"]: t["Value"] for t in self._get_param("Tags") or []}
    if tags:
        backend._resource_tags["Association"][association["AssociationId"]].update(tags)
    return ActionResult({"AssociationDescription": _described(association)})


def describe_association(self):
    association = _get(self.ssm_backend, self._get_param("AssociationId"))
    return ActionResult({"AssociationDescription": _described(association)})


def update_association(self):
    association = _get(self.ssm_backend, self._get_param("AssociationId"))
    for field in _FIELDS:
        value = self._get_param(field)
        if value is not None:
            association[field] = value
    association["AssociationVersion"] = str(int(association["AssociationVersion"]) + 1)
    association["LastUpdateAssociationDate"] = datetime.datetime.now(datetime.timezone.utc)
    return ActionResult({"AssociationDescription": _described(association)})


def delete_association(self):
    backend = self.ssm_backend
    association_id = self._get_param("AssociationId")
    if association_id is None:
        name = self._get_param("Name")
        association_id = next((i for i, a in _associations(backend).items() if a.get("Name") == name), None)
    _get(backend, association_id)
    _associations(backend).pop(association_id)
    backend._resource_tags["Association"].pop(association_id, None)
    return EmptyResult()


def list_associations(self):
    out = [
        {k: a.get(k) for k in ("Name", "AssociationId", "AssociationVersion", "AssociationName", "Targets", "ScheduleExpression", "Overview", "DocumentVersion") if a.get(k) is not None}
        for a in _associations(self.ssm_backend).values()
    ]
    return ActionResult({"Associations": out})


SimpleSystemManagerResponse.create_association = create_association
SimpleSystemManagerResponse.describe_association = describe_association
SimpleSystemManagerResponse.update_association = update_association
SimpleSystemManagerResponse.delete_association = delete_association
SimpleSystemManagerResponse.list_associations = list_associations

_validate = ssm_models.SimpleSystemManagerBackend._validate_resource_type_and_id


def _validate_resource_type_and_id(self, resource_type, resource_id):
    if resource_type == "Association":
        _get(self, resource_id)
        return resource_id
    return _validate(self, resource_type, resource_id)


ssm_models.SimpleSystemManagerBackend._validate_resource_type_and_id = _validate_resource_type_and_id
