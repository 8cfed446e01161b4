"""Every crucial.ml test talks to the session's DSO node (tests/conftest.py), which runs the ml.fit jobs."""
import pytest


@pytest.fixture(autouse=True)
def _node(dso):
    """The session node, exported in CRUCIAL_DSO, for the estimators' default connection."""
    yield dso
