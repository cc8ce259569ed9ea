"""CreateTaskSet of moto 5.2.1 starts the task set's tasks on the spot.

With a scale in percent moto runs the tasks inside the request (RunTask): on a cluster whose EC2
capacity registers no container instances in the emulator it answers "No instances found in
cluster" (HTTP 500), and for task definitions sized at task level only it crashes summing container
memory. AWS creates the task set and starts its tasks afterwards, asynchronously (the task set is
returned with its scale and runningCount 0; Amazon ECS API reference, CreateTaskSet). CodeDeploy's
replacement task set in the simulated ECS blue/green release (aws.py release-ecs) is created as AWS
does: recorded with its scale, no task started in the request.
"""
from moto.ecs import models

_create = models.EC2ContainerServiceBackend.create_task_set


def create_task_set(self, *args, scale=None, **kwargs):
    task_set = _create(self, *args, scale=None, **kwargs)
    if scale:
        task_set.scale = scale
    return task_set


models.EC2ContainerServiceBackend.create_task_set = create_task_set
