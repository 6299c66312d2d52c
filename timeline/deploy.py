"""`deploy`: publish the built site to a branch (gh-pages) with ghp-import, for sites that do
not publish through GitHub Actions.

The build runs first and must succeed; the folder must be inside a git repository. Either
failure stops before anything is committed.
"""

from __future__ import annotations

import contextlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

import ghp_import

from .cache import BuildSummary
from .errors import DeployError, UsageError
from .pipeline import build_site
from .project import Site


@dataclass(frozen=True)
class DeployOptions:
    remote: str = "origin"
    branch: str = "gh-pages"
    message: str = "Publish the timeline"
    push: bool = True


def repository_root(folder: Path) -> Path:
    """The git work tree holding `folder`; a `UsageError` when there is none."""
    done = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise UsageError(
            f"{folder} is not inside a git repository, so there is no branch to publish to; "
            "run `git init` (and add a remote) first, or publish with GitHub Actions"
        )
    return Path(done.stdout.strip())


def deploy(site: Site, options: DeployOptions) -> BuildSummary:
    """Build (no drafts) into `<site>/_site`, then commit it to the branch and push."""
    repo = repository_root(site.root)
    out = site.root / "_site"
    result = build_site(site, out, drafts=False)
    try:
        with contextlib.chdir(repo):
            ghp_import.ghp_import(
                str(out), mesg=options.message, remote=options.remote, branch=options.branch,
                push=options.push, nojekyll=True, cname=site.config.cname or None,
            )  # fmt: skip
    except (ghp_import.GhpError, subprocess.CalledProcessError) as exc:
        raise DeployError(f"publishing to {options.branch} failed: {exc}") from None
    _check_branch(repo, options.branch)
    return result


def _check_branch(repo: Path, branch: str) -> None:
    """ghp-import prints, rather than raises, when git fast-import fails."""
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
        cwd=repo, capture_output=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise DeployError(f"the {branch} branch was not written; see git's message above")
