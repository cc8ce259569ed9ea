"""moto_server, with the few actions moto 5.2.1 lacks or shapes wrongly for the synthesized stacks.

scripts/e2e.mjs starts it exactly as `moto_server -H 127.0.0.1 -p <port>` would be started, after
importing every module of moto_patches/ (one per AWS service). Each patch names the moto behaviour it
works around; none changes what the product emits for real AWS.
"""
import importlib
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
for module in sorted(pathlib.Path(__file__).parent.joinpath("moto_patches").glob("*.py")):
    if module.stem != "__init__":
        importlib.import_module(f"moto_patches.{module.stem}")

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
