"""
The Python package as a user outside the repository gets it: ``python -m build`` makes an sdist and
a wheel (the wheel from the sdist), the wheel goes into a fresh venv under the temp dir, and a plain
script runs the notebook's flow with only ``node`` on PATH, so the embedded DSO node is the one
bundled in the wheel. Without ``node``, or with one too old, the error names what is missing.
"""
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[4]
HERE = Path(__file__).resolve().parent
NODE = subprocess.run(["node", "-p", "process.execPath"], capture_output=True, text=True, check=True).stdout.strip()

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv outside the repo with the built wheel installed; returns (venv python, scratch dir)."""
    scratch = tmp_path_factory.mktemp("crucial-wheel")
    out = scratch / "dist"
    r = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"python -m build failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    sdists, wheels = list(out.glob("crucial-*.tar.gz")), list(out.glob("crucial-*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, list(out.iterdir())
    env_dir = scratch / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    r = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--prefer-binary", str(wheels[0])],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"pip install of the wheel failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return python, scratch


def run_user(python, scratch, args, path_dirs):
    """Runs the venv's python as a user would, from a directory outside the repo, with PATH = path_dirs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRUCIAL_", "PYTHON", "LITHOPS", "__LITHOPS"))}
    env["PATH"] = os.pathsep.join([str(python.parent), *map(str, path_dirs)])
    return subprocess.run([str(python), *args], cwd=scratch, env=env, capture_output=True, text=True, timeout=300)


def node_only_dir(scratch):
    """A directory holding nothing but ``node``."""
    d = scratch / "node-only"
    d.mkdir(exist_ok=True)
    if not (d / "node").exists():
        (d / "node").symlink_to(NODE)
    return d


def sequential_kmeans(K=4, D=2, workers=4, points=1_000, iters=6):
    """The oracle: the same k-means as notebook_flow.py's, computed here in one process."""
    centers = np.array([[0, 0], [8, 8], [0, 8], [8, 0]], dtype=float)
    data = []
    for wid in range(workers):
        rng = np.random.default_rng(wid)
        data.append(centers[rng.integers(0, K, points)] + rng.normal(0, 1, (points, D)))
    centroids = np.array([[1, 1], [2, 2], [3, 3], [4, 4]], dtype=float)
    for _ in range(iters):
        sums, counts = np.zeros((K, D)), np.zeros(K)
        for pts in data:
            labels = ((pts[:, None, :] - centroids[None]) ** 2).sum(-1).argmin(1)
            np.add.at(sums, labels, pts)
            counts += np.bincount(labels, minlength=K)
        centroids = sums / np.maximum(counts, 1)[:, None]
    return sorted(np.round(centroids, 1).tolist())


def test_wheel_runs_the_notebook_flow_with_only_node_on_path(installed):
    python, scratch = installed
    r = run_user(python, scratch, [str(HERE / "notebook_flow.py")], [node_only_dir(scratch)])
    assert r.returncode == 0, f"notebook flow failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert Path(out["crucial_file"]).is_relative_to(python.parent.parent), out["crucial_file"]
    assert out["node_from_checkout"] is False
    assert out["version"] == json.loads((REPO / "package.json").read_text())["version"]
    assert out["hits"] == out["returned"]
    assert abs(out["pi"] - np.pi) < 0.02
    assert out["same_centroids"] and out["inertia_last"] < out["inertia_first"]
    assert out["centroids"] == sequential_kmeans()


def test_wheel_without_node_names_what_is_missing(installed):
    python, scratch = installed
    empty = scratch / "empty-path"
    empty.mkdir(exist_ok=True)
    r = run_user(python, scratch, ["-c", "import crucial; crucial.AtomicLong('x').get()"], [empty])
    assert r.returncode != 0
    assert "UnavailableError" in r.stderr and "needs Node.js >= 20: no `node` on PATH" in r.stderr, r.stderr[-2000:]


def test_wheel_with_an_old_node_names_its_version(installed):
    python, scratch = installed
    old = scratch / "old-node"
    old.mkdir(exist_ok=True)
    fake = old / "node"
    fake.write_text("#!/bin/sh\necho v18.19.0\n")
    fake.chmod(0o755)
    r = run_user(python, scratch, ["-c", "import crucial; crucial.AtomicLong('x').get()"], [old])
    assert r.returncode != 0
    assert "needs Node.js >= 20" in r.stderr and "is v18.19.0" in r.stderr, r.stderr[-2000:]


def test_wheel_uses_a_running_node_named_by_crucial_dso(installed):
    python, scratch = installed
    bundle = next((python.parent.parent / "lib").glob("python*/site-packages/crucial/_node/crucial-node.mjs"))
    # The node demands a token: it takes the one it is given in its environment, and so does the client.
    token = "wheel-test-token-0123456789abcdef"
    node = subprocess.Popen([NODE, str(bundle)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "CRUCIAL_TOKEN": token})
    try:
        address = node.stdout.readline().split()[1]
        code = ("import os, crucial; from crucial.client import context; "
                "print(crucial.AtomicLong('shared-k').add_and_get(7), context._embedded is None, crucial.dso_address())")
        env_path = [scratch / "empty-path"]
        (scratch / "empty-path").mkdir(exist_ok=True)
        env = {"CRUCIAL_DSO": address, "CRUCIAL_TOKEN": token}
        r = subprocess.run([str(python), "-c", code], cwd=scratch, capture_output=True, text=True, timeout=120,
                           env={**{k: v for k, v in os.environ.items() if not k.startswith("CRUCIAL_")}, **env,
                                "PATH": os.pathsep.join([str(python.parent), *map(str, env_path)])})
        assert r.returncode == 0, r.stderr[-2000:]
        # No node on PATH: the value can only have come from the running node.
        assert r.stdout.split() == ["7", "True", address]
    finally:
        node.stdin.close()
        node.wait(10)


def test_wheel_runs_the_crucial_command_line_and_a_node_other_programs_share(installed):
    python, scratch = installed
    path = [node_only_dir(scratch)]
    r = run_user(python, scratch, ["-m", "crucial", "--version"], path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == json.loads((REPO / "package.json").read_text())["version"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRUCIAL_", "PYTHON", "LITHOPS", "__LITHOPS"))}
    env["PATH"] = os.pathsep.join([str(python.parent), *map(str, path)])
    node = subprocess.Popen([str(python), "-m", "crucial", "dso", "start", "--port", "0"], cwd=scratch, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []  # a line on where its credentials are, then the ready line
        while not any("ready at tcp://" in x for x in lines) and len(lines) < 10:
            line = node.stdout.readline()
            if not line:
                break
            lines.append(line)
        ready = next((x for x in lines if "ready at tcp://" in x), None)
        if ready is None:
            node.kill()
            pytest.fail("".join(lines) + node.stderr.read()[-2000:])
        address = ready.split("ready at ", 1)[1].split()[0]
        # Another program finds the node's token by itself (its runtime file), as with `npx crucial dso start`.
        code = "import crucial; print(crucial.AtomicLong('cli-k').add_and_get(5), crucial.AtomicLong('cli-k').add_and_get(1))"
        r = subprocess.run([str(python), "-c", code], cwd=scratch, capture_output=True, text=True, timeout=120, env={**env, "CRUCIAL_DSO": address})
        assert r.returncode == 0, r.stderr[-2000:]
        assert r.stdout.split() == ["5", "6"]
    finally:
        node.terminate()
        assert node.wait(20) == 0
