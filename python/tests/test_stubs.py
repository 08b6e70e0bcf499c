"""The type stubs (rsn/_rsn.pyi) describe the compiled module as it is."""

import os
import subprocess
import sys


def test_stubs_match_the_compiled_module(tmp_path):
    # stubtest imports the installed package and compares every name, signature and class with
    # the stub; outside the repository so that nothing else named rsn is importable.
    env = dict(os.environ, MYPY_CACHE_DIR=str(tmp_path / "mypy-cache"))
    out = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "rsn"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
