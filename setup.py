"""
What pyproject.toml cannot say: the version is package.json's (one version string for the npm and the
Python package), and the wheel carries the DSO node bundled from the TypeScript sources
(scripts/bundle-python-node.mjs, esbuild, one file) so an installed package needs only ``node``.
An sdist carries the bundle too, so a wheel builds from it without npm.
"""
import json
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
BUNDLE = ROOT / "bridges" / "python" / "crucial" / "_node" / "crucial-node.mjs"
BUNDLER = ROOT / "scripts" / "bundle-python-node.mjs"


def bundle_node(required: bool) -> None:
    """Bundles the node when the npm dependencies are there; else an existing bundle (an sdist's) is used."""
    node = shutil.which("node")
    if BUNDLER.is_file() and (ROOT / "node_modules" / "esbuild").is_dir() and node:
        subprocess.run([node, str(BUNDLER)], cwd=ROOT, check=True)
    elif required and not BUNDLE.is_file():
        raise SystemExit(f"the wheel needs the bundled DSO node ({BUNDLE}): run `npm install` first (node >= 20 on PATH)")


class BuildPy(build_py):
    def run(self) -> None:
        # An editable install (pip -e) runs the node from the checkout: a bundle is optional there.
        bundle_node(required=not getattr(self, "editable_mode", False))
        super().run()


class Sdist(sdist):
    def run(self) -> None:
        bundle_node(required=True)
        super().run()


setup(
    version=json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["version"],
    cmdclass={"build_py": BuildPy, "sdist": Sdist},
)
