"""Application Auto Scaling tags, which moto 5.2.1 does not serve.

ListTagsForResource, TagResource and UntagResource raise NotImplementedError (HTTP 500), and
RegisterScalableTarget ignores its Tags: the AWS provider reads a target's tags right after creating
it, retried the 500 and never finished (aws_appautoscaling_target "Still creating..."). Kept per
backend by the scalable target's ARN, as sent.
"""
import json

from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse


def _tags(backend):
    if not hasattr(backend, "_e2e_tags"):
        backend._e2e_tags = {}
    return backend._e2e_tags


_register = ApplicationAutoScalingResponse.register_scalable_target


def register_scalable_target(self):
    out = _register(self)
    tags = self._get_param("Tags")
    if tags:
        _tags(self.applicationautoscaling_backend).setdefault(json.loads(out)["ScalableTargetARN"], {}).update(tags)
    return out


def list_tags_for_resource(self):
    return json.dumps({"Tags": _tags(self.applicationautoscaling_backend).get(self._get_param("ResourceARN"), {})})


def tag_resource(self):
    _tags(self.applicationautoscaling_backend).setdefault(self._get_param("ResourceARN"), {}).update(self._get_param("Tags") or {})
    return "{}"


def untag_resource(self):
    tags = _tags(self.applicationautoscaling_backend).get(self._get_param("ResourceARN"), {})
    for key in self._get_param("TagKeys") or []:
        tags.pop(key, None)
    return "{}"


ApplicationAutoScalingResponse.register_scalable_target = register_scalable_target
ApplicationAutoScalingResponse.list_tags_for_resource = list_tags_for_resource
ApplicationAutoScalingResponse.tag_resource = tag_resource
ApplicationAutoScalingResponse.untag_resource = untag_resource
