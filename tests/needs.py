"""Tests that need a tool outside Python (Java for Spark, PostgreSQL's server): skipped on a
developer's machine without it, a failure in CI (`CI=true`), where `.ci/run` installs it."""

from __future__ import annotations

import os

import pytest
from conftest import in_ci


def missing(what: str) -> None:
    """Skip locally, fail loudly in CI: a test that needs `what` must run there."""
    message = f"{what} is not installed (.ci/run installs it)"
    if in_ci(os.environ):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
