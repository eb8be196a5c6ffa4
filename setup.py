"""Packaging hook: the wheel carries the repository's top-level prompts/ and knowledge/ (configuration is in
pyproject.toml). They stay at the repository root for editing; an installed bot finds them as bot/_shipped/<name>
(see bot/shipped.py)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("prompts", "knowledge")


class BuildPyWithShipped(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's own folders
        for name in SHIPPED:
            target = Path(self.build_lib) / "bot" / "_shipped" / name
            # Replace, not merge: a file deleted from the repository must not survive in a reused build dir.
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))


setup(cmdclass={"build_py": BuildPyWithShipped})
