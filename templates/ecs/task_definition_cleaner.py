"""Task definition cleaner: removes the revisions ECS releases registered when Terraform destroys.

Every release registers the next revision of a service's family outside Terraform: the rolling
deploy step (templates/ecs/deploy-buildspec.yml) and CodePipeline's CodeDeployToECS action of a
blue/green service. `terraform destroy` deregisters only the revision Terraform registered, so the
releases' revisions would stay ACTIVE (docs/ecs.md, "ECS releases").

Terraform invokes this function (aws_lambda_invocation, lifecycle scope CRUD) with
{"families": [...], "terraformRevisions": [...]}:

* create: nothing changes; it reports the ACTIVE revisions of the families it owns.
* update: a family that left the input (a service removed from the configuration) is cleaned as on
  delete (`tf.prev_input` holds the previous input); the families that stay are only reported.
* delete (`tf.action == "delete"`): every ACTIVE revision of each family, except the revisions
  Terraform registered (Terraform deregisters those itself after this invocation is gone), is
  deregistered (DeregisterTaskDefinition, one revision a call:
  https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeregisterTaskDefinition.html) and
  then deleted (DeleteTaskDefinitions, INACTIVE revisions only, up to 10 a call:
  https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeleteTaskDefinitions.html).
  A revision a task still runs stays DELETE_IN_PROGRESS until the task stops; ECS then removes it.

ListTaskDefinitions' familyPrefix is a prefix ("shop-staging-web" also lists "shop-staging-web2"),
so each ARN's family is compared exactly.
"""
import boto3

DELETE_BATCH = 10


def family_of(arn):
    """`arn:...:task-definition/<family>:<revision>` -> `<family>`."""
    return arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]


def active_revisions(ecs, family):
    arns = []
    for page in ecs.get_paginator("list_task_definitions").paginate(familyPrefix=family, status="ACTIVE"):
        arns.extend(a for a in page["taskDefinitionArns"] if family_of(a) == family)
    return arns


def clean(ecs, families, keep):
    deregistered, deleted, failures = [], [], []
    for family in families:
        for arn in active_revisions(ecs, family):
            if arn in keep:
                continue
            ecs.deregister_task_definition(taskDefinition=arn)
            deregistered.append(arn)
    for start in range(0, len(deregistered), DELETE_BATCH):
        answer = ecs.delete_task_definitions(taskDefinitions=deregistered[start:start + DELETE_BATCH])
        deleted.extend(d["taskDefinitionArn"] for d in answer.get("taskDefinitions", []))
        failures.extend(answer.get("failures", []))
    if failures:
        # Deregistered but not deleted: no longer usable, still listed as INACTIVE. Fail loudly so the
        # destroy stops and can be re-run (the next run finds nothing ACTIVE and deletes nothing new).
        raise RuntimeError(f"DeleteTaskDefinitions refused: {failures}")
    return {"deregistered": deregistered, "deleted": deleted}


def handler(event, context=None):
    families = list(event.get("families") or [])
    keep = set(event.get("terraformRevisions") or [])
    ecs = boto3.client("ecs")
    tf = event.get("tf") or {}
    if tf.get("action") == "delete":
        return clean(ecs, families, keep)
    if tf.get("action") == "update":
        previous = tf.get("prev_input") or {}
        gone = [f for f in previous.get("families") or [] if f not in families]
        if gone:
            return clean(ecs, gone, keep | set(previous.get("terraformRevisions") or []))
    return {"active": {family: [a for a in active_revisions(ecs, family) if a not in keep] for family in families}}
