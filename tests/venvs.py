"""Running the commands of the tests that build venvs: at once, in a clean environment."""

from __future__ import annotations

import os
import subprocess
from typing import Any


def clean_env() -> dict[str, str]:
    """This environment without PYTHON* variables, user site and pip's version check."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["PYTHONNOUSERSITE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    (done,) = run_all([(command, kwargs)])
    return done


def run_all(
    commands: list[tuple[list[str], dict[str, Any]]],
) -> list[subprocess.CompletedProcess[str]]:
    """Run the commands at once (installs spend most of their time waiting on pip), each
    with an ``input``, ``cwd`` or ``env`` of its own; all must succeed."""
    started = []
    for command, options in commands:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=options.get("cwd"),
            env=options.get("env", clean_env()),
        )
        started.append((command, options, process))
    finished = []
    for command, options, process in started:
        out, err = process.communicate(options.get("input"), timeout=300)
        assert process.returncode == 0, f"{command} failed:\n{out}\n{err}"
        finished.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return finished
