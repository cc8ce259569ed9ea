"""Lambda invocations of moto 5.2.1 run the function in Docker (a Lambda runtime image pulled from a
registry), which this tier cannot use: nothing downloads at test time. The product's functions are
Python using only boto3, so an invocation here runs the handler in a child process of this Python
(which has boto3), with the function's environment, pointed back at this moto server as the Lambda
runtime would be. A handler that raises is a failed invocation (FunctionError), as in Lambda.
"""
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile

from moto.awslambda import models

_RUNNER = r"""
import importlib, json, sys, traceback
module, function = sys.argv[1].rsplit(".", 1)
sys.path.insert(0, sys.argv[2])
event = json.loads(sys.stdin.read() or "{}")
try:
    result = getattr(importlib.import_module(module), function)(event, None)
    print(json.dumps(result))
except Exception as error:
    traceback.print_exc()
    print(json.dumps({"errorMessage": str(error), "errorType": type(error).__name__}))
    sys.exit(1)
"""


def _port():
    argv = sys.argv
    for i, arg in enumerate(argv):
        if arg in ("-p", "--port") and i + 1 < len(argv):
            return argv[i + 1]
    return os.environ.get("MOTO_PORT", "5000")


def _invoke_in_process(self, event=None):
    self.logs_backend.ensure_log_group(self.logs_group_name)
    body = event if isinstance(event, str) else json.dumps(event or {})
    with tempfile.TemporaryDirectory() as task:
        zipfile.ZipFile(io.BytesIO(self.code_bytes)).extractall(task)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{_port()}",
            "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
            # The tier's moto answers within seconds; deletion waits poll faster than on AWS.
            "POLL_SECONDS": "1",
            **{k: str(v) for k, v in (self.environment_vars or {}).items()},
        }
        done = subprocess.run(
            [sys.executable, "-c", _RUNNER, self.handler, task],
            input=body, capture_output=True, text=True, env=env, timeout=int(self.timeout) + 30,
        )
    lines = done.stdout.strip().splitlines()
    result = lines[-1] if lines else "null"
    logs = "\n".join(lines[:-1] + done.stderr.splitlines())
    self.save_logs(logs or "(no output)")
    if done.returncode != 0:
        sys.stderr.write(f"[moto patch] Lambda {self.function_name} failed:\n{done.stderr}\n")
    return result, done.returncode != 0, logs


models.LambdaFunction._invoke_lambda = _invoke_in_process


# LoggingConfig (log format and log group) is dropped on create and update and never returned, so the
# provider plans to add it after every apply (a diff AWS would not show).
_init = models.LambdaFunction.__init__
_get_configuration = models.LambdaFunction.get_configuration
_update_configuration = models.LambdaFunction.update_configuration


def _init_with_logging(self, account_id, spec, region, *args, **kwargs):
    _init(self, account_id, spec, region, *args, **kwargs)
    self.logging_config = spec.get("LoggingConfig")
    if self.logging_config and self.logging_config.get("LogGroup"):
        self.logs_group_name = self.logging_config["LogGroup"]


def _get_configuration_with_logging(self, *args, **kwargs):
    out = _get_configuration(self, *args, **kwargs)
    if getattr(self, "logging_config", None):
        out["LoggingConfig"] = self.logging_config
    return out


def _update_configuration_with_logging(self, updates):
    if "LoggingConfig" in updates:
        self.logging_config = updates["LoggingConfig"]
    return _update_configuration(self, updates)


models.LambdaFunction.__init__ = _init_with_logging
models.LambdaFunction.get_configuration = _get_configuration_with_logging
models.LambdaFunction.update_configuration = _update_configuration_with_logging
