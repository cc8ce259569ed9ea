"""Runs templates/ecs/task_definition_cleaner.py against an in-memory ECS stand-in.

  python3 task_definition_cleaner_harness.py <task_definition_cleaner.py> <scenario JSON>

The scenario: {"revisions": {"<arn>": "ACTIVE" | "INACTIVE"}, "event": {...}, "pageSize": n,
"refuse": ["<arn>", ...]}. Prints {"result", "calls", "revisions"} (or {"error", "calls", ...} when the
handler raises): every call in order and each revision's status afterwards; a deleted revision is
DELETE_IN_PROGRESS (__tests__/task-definition-cleaner.test.ts).
"""
import importlib.util
import json
import sys
import types

calls = []


def family_prefix_matches(arn, prefix):
    # AWS: familyPrefix is a prefix of the family name (ListTaskDefinitions).
    return arn.rsplit("/", 1)[-1].startswith(prefix)


class Pages:
    def __init__(self, ecs, size):
        self.ecs, self.size = ecs, size

    def paginate(self, familyPrefix, status):
        calls.append(["list", familyPrefix, status])
        arns = [a for a, s in self.ecs.revisions.items() if s == status and family_prefix_matches(a, familyPrefix)]
        return [{"taskDefinitionArns": arns[i:i + self.size]} for i in range(0, len(arns), self.size)] or [{"taskDefinitionArns": []}]


class Ecs:
    def __init__(self, revisions, size, refuse):
        self.revisions, self.size, self.refuse = dict(revisions), size, set(refuse)

    def get_paginator(self, name):
        assert name == "list_task_definitions", name
        return Pages(self, self.size)

    def deregister_task_definition(self, taskDefinition):
        calls.append(["deregister", taskDefinition])
        assert self.revisions[taskDefinition] == "ACTIVE", taskDefinition
        self.revisions[taskDefinition] = "INACTIVE"
        return {"taskDefinition": {"taskDefinitionArn": taskDefinition, "status": "INACTIVE"}}

    def delete_task_definitions(self, taskDefinitions):
        calls.append(["delete", taskDefinitions])
        # AWS: up to 10 a call (API_DeleteTaskDefinitions).
        assert 0 < len(taskDefinitions) <= 10, len(taskDefinitions)
        deleted, failures = [], []
        for arn in taskDefinitions:
            if arn in self.refuse or self.revisions.get(arn) != "INACTIVE":
                failures.append({"arn": arn, "reason": "refused"})
            else:
                self.revisions[arn] = "DELETE_IN_PROGRESS"
                deleted.append({"taskDefinitionArn": arn, "status": "DELETE_IN_PROGRESS"})
        return {"taskDefinitions": deleted, "failures": failures}


def main(source, scenario):
    scenario = json.loads(scenario)
    ecs = Ecs(scenario.get("revisions", {}), scenario.get("pageSize", 100), scenario.get("refuse", []))
    sys.modules["boto3"] = types.SimpleNamespace(client=lambda service: {"ecs": ecs}[service])
    spec = importlib.util.spec_from_file_location("task_definition_cleaner", source)
    cleaner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cleaner)
    try:
        out = {"result": cleaner.handler(scenario["event"])}
    except Exception as error:  # a failed invocation
        out = {"error": str(error)}
    print(json.dumps({**out, "calls": calls, "revisions": ecs.revisions}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
