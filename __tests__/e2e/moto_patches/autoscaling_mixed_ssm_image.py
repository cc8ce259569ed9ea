"""A mixed instances policy on a launch template whose image is `resolve:ssm:...`, which moto 5.2.1 accepts.

AWS refuses CreateAutoScalingGroup (and UpdateAutoScalingGroup) with a MixedInstancesPolicy whose launch
template names its AMI through an SSM parameter: `ValidationError: Invalid id: "resolve:ssm:..."
(expecting "ami-...")` (hashicorp/terraform-provider-aws#38767,
https://github.com/hashicorp/terraform-provider-aws/issues/38767). The fleet's template then names the
AMI ID read at plan time (stacks/environment-parts.ts, launchImage); without this patch the tier would
not notice a regression to `resolve:ssm:` in front of a mixed instances policy.
"""
from moto.autoscaling.exceptions import ValidationError
from moto.autoscaling.responses import AutoScalingResponse


def _refuse_ssm_image(self):
    policy = self._get_param("MixedInstancesPolicy")
    spec = ((policy or {}).get("LaunchTemplate") or {}).get("LaunchTemplateSpecification") or {}
    if not spec:
        return
    ec2 = self.autoscaling_backend.ec2_backend
    template_id, template_name = spec.get("LaunchTemplateId"), spec.get("LaunchTemplateName")
    template = ec2.get_launch_template(template_id) if template_id else ec2.get_launch_template_by_name(template_name)
    image = template.get_version(spec.get("Version") or "$Default").image_id
    if image.startswith("resolve:ssm:"):
        raise ValidationError(f'You must use a valid fully-formed launch template. Invalid id: "{image}" (expecting "ami-...")')


def _checked(action):
    def wrapper(self):
        _refuse_ssm_image(self)
        return action(self)

    return wrapper


AutoScalingResponse.create_auto_scaling_group = _checked(AutoScalingResponse.create_auto_scaling_group)
AutoScalingResponse.update_auto_scaling_group = _checked(AutoScalingResponse.update_auto_scaling_group)
