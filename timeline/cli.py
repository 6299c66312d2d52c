"""The command line: build, check, serve, deploy, import and new; maps errors to exit codes
(declared with the errors, in `errors.py`).

Each command loads what it needs when it runs: `build` first asks the cache whether
anything changed (`cache.py`, `stamp.py`), and loads the generator's stages, Markdown and
Jinja only when something did, so that an unchanged site's build takes a few hundredths of a
second in all, as in a CI run from a fresh checkout."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import (
    EXIT_CONTENT,
    EXIT_OK,
    BuildFailed,
    Problem,
    RenderError,
    TimelineError,
    UsageError,
)
from .project import open_site, site_folder, site_folders

INTERRUPTED = 130  # a shell's code for a command ended by Ctrl-C (128 + SIGINT)
STOPPED = {  # what a command stopped with Ctrl-C leaves, where it is worth saying
    "build": "the previous output is as it was",
    "check": "nothing was written",
    "import": "nothing was imported",
}


def _site_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site", type=Path, default=Path("."), metavar="DIR",
        help="site folder holding content/, site.toml and optional templates/ and static/ "
        "(default: the current folder)",
    )  # fmt: skip


def _strict_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--strict", action="store_true",
        help="treat warnings (no sources, an undated source, a plain-http source, ...) as "
        "errors: exit 1 and write nothing",
    )  # fmt: skip


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build a static timeline website from one Markdown file per event.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="build the site into an output folder")
    _site_argument(build_cmd)
    build_cmd.add_argument(
        "--out", type=Path, metavar="DIR", help="output folder (default: <site>/_site)"
    )
    build_cmd.add_argument(
        "--base-url", metavar="URL",
        help="published address, e.g. https://user.github.io/repo/ (overrides site.toml)",
    )  # fmt: skip
    build_cmd.add_argument(
        "--drafts", action="store_true", help="include events marked draft: true"
    )
    build_cmd.add_argument(
        "--no-cache", action="store_true",
        help="rebuild everything, without reading or writing the build cache in <site>/.cache",
    )  # fmt: skip
    build_cmd.add_argument(
        "--profile", action="store_true", help="print where the build spent its time"
    )
    _strict_argument(build_cmd)

    check_cmd = commands.add_parser("check", help="validate the content without writing anything")
    _site_argument(check_cmd)
    _strict_argument(check_cmd)

    serve_cmd = commands.add_parser(
        "serve", help="preview the site locally; pages reload by themselves as you edit"
    )
    _site_argument(serve_cmd)
    serve_cmd.add_argument(
        "--host", default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; 0.0.0.0 shares the preview on your network)",
    )  # fmt: skip
    serve_cmd.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve_cmd.add_argument("--open", action="store_true", help="open the preview in a browser")

    deploy_cmd = commands.add_parser(
        "deploy", help="build and publish the site to a git branch (gh-pages) with ghp-import"
    )
    _site_argument(deploy_cmd)
    deploy_cmd.add_argument(
        "--remote", default="origin", help="git remote to push to (default origin)"
    )
    deploy_cmd.add_argument(
        "--branch", default="gh-pages", help="branch to publish to (default gh-pages)"
    )
    deploy_cmd.add_argument("--message", default="Publish the timeline", help="commit message")
    deploy_cmd.add_argument(
        "--no-push", action="store_true", help="commit to the branch but do not push"
    )

    import_cmd = commands.add_parser(
        "import", help="create event files from a TimelineJS sheet (CSV) or JSON file"
    )
    import_cmd.add_argument(
        "file", type=Path, help="TimelineJS Google Sheet exported as CSV, or JSON"
    )
    _site_argument(import_cmd)
    import_cmd.add_argument(
        "--dry-run", action="store_true", help="show what would be written; write nothing"
    )

    new_cmd = commands.add_parser("new", help="create a new event (or entity) file")
    new_cmd.add_argument(
        "title", help='the event\'s title, e.g. "Hanoi summit ends without a deal"'
    )
    new_cmd.add_argument("--date", help="EDTF date, e.g. 2019-02-28 or 2019-02~ (events)")
    new_cmd.add_argument(
        "--entity", metavar="KIND",
        help="start an entity file instead: person, organisation, place or other",
    )  # fmt: skip
    new_cmd.add_argument("--tags", default="", help="comma-separated tags, e.g. diplomacy,russia")
    _site_argument(new_cmd)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Run a command and exit with its code."""
    args = make_parser().parse_args(argv)
    sys.exit(run(args))


def run(args: argparse.Namespace) -> int:
    """Run one command; every error the program reports becomes a message and its exit code."""
    try:
        return COMMANDS[args.command](args)
    except BuildFailed as exc:
        _report(exc.problems)
        count = sum(p.is_error for p in exc.problems)
        print(
            f"error: {count} problem{'s' * (count != 1)} found; nothing was written",
            file=sys.stderr,
        )
        return exc.exit_code
    except RenderError as exc:
        print(f"{exc}\nerror: a template failed; nothing was written", file=sys.stderr)
        return exc.exit_code
    except TimelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # the stages clean up on their way out: nothing half-written
        left = STOPPED.get(args.command)
        print(f"stopped (Ctrl-C){f'; {left}' if left else ''}", file=sys.stderr)
        return INTERRUPTED


def _report(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _events(count: int) -> str:
    """`1 event`, `2 events`: the terminal's messages are in English whatever the site's
    language."""
    return f"{count} event" if count == 1 else f"{count} events"


def cmd_build(args: argparse.Namespace) -> int:
    from .cache import BuildCache
    from .output import check_output_dir

    start = time.perf_counter()
    folders = site_folders(args.site)
    out = args.out if args.out is not None else folders.root / "_site"
    check_output_dir(out, folders.root)
    known = None
    if not args.no_cache:
        known = BuildCache(folders.root).up_to_date(
            folders, out.resolve(), drafts=args.drafts, base_url=args.base_url
        )
    if known is not None and known[1] is not None:
        result = known[1].summary(strict=args.strict)
    else:
        from .pipeline import build_site

        site = open_site(folders.root, base_url=args.base_url)
        result = build_site(site, out, drafts=args.drafts, use_cache=not args.no_cache,
                            strict=args.strict, known=known)  # fmt: skip
    _report(result.warnings)
    seconds = time.perf_counter() - start
    reused = f" ({len(result.linked)} unchanged)" if result.linked else ""
    built = f"Built {_events(result.events)}, {result.pages} files{reused}"
    print(f"{built} into {out} in {seconds:.2f} s")
    if args.profile:
        for stage, spent in result.timings.items():
            print(f"  {stage:8} {spent:7.3f} s")
        print(f"  {_peak_memory()}")
    return EXIT_OK


def _peak_memory() -> str:
    """Peak memory of this process and of its largest worker, where the system tells it."""
    try:
        import resource  # POSIX only
    except ImportError:
        return "peak memory: not measured on this system"
    own, helpers = (
        resource.getrusage(who).ru_maxrss / 1024
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return f"peak memory {own:.0f} MB (this process), {helpers:.0f} MB (largest helper)"


def cmd_check(args: argparse.Namespace) -> int:
    from .pipeline import check_site

    site = open_site(args.site)
    timeline, warnings = check_site(site, drafts=True, strict=args.strict)
    _report(warnings)
    print(f"OK: {_events(len(timeline))}, no errors")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .preview import run_preview  # the server's libraries load only when serving
    from .server import Address

    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port} is not a port number (1-65535)")
    run_preview(args.site, Address(args.host, args.port), open_browser=args.open)
    print("Preview stopped.")
    return EXIT_OK


def cmd_deploy(args: argparse.Namespace) -> int:
    from .deploy import DeployOptions, deploy

    site = open_site(args.site)
    options = DeployOptions(args.remote, args.branch, args.message, push=not args.no_push)
    result = deploy(site, options)
    _report(result.warnings)
    where = f"{args.branch}" if args.no_push else f"{args.branch} and pushed to {args.remote}"
    print(f"Published {_events(result.events)} to {where}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from .importer import plan_import, write_import

    site_root = site_folder(args.site)
    report = plan_import(args.file, site_root)
    if not args.dry_run:
        write_import(report)  # any error: raises BuildFailed, with every problem; writes nothing
    _report(sorted(report.problems))
    verb = "Would create" if args.dry_run else "Created"
    for planned in report.planned:
        print(f"{verb} {planned.path.relative_to(site_root).as_posix()}: {planned.title}")
    if report.suggestions:
        print("Suggested site.toml settings (not written):")
        for key, value in report.suggestions.items():
            print(f"  {key} = {json.dumps(value, ensure_ascii=False)}")
    if report.errors:  # only with --dry-run: the import would write nothing
        count = len(report.errors)
        print(
            f"error: {count} problem{'s' * (count != 1)} found; the import would write nothing",
            file=sys.stderr,
        )
        return EXIT_CONTENT
    done = "would be imported" if args.dry_run else "imported"
    skipped = f", {report.skipped} skipped (see the warnings)" if report.skipped else ""
    print(f"{len(report.planned)} events {done}{skipped}")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from .scaffold import new_entity, new_event

    site_root = site_folder(args.site)
    if args.entity:
        if args.date or args.tags:
            raise UsageError("--date and --tags are for events, not with --entity")
        path = new_entity(site_root / "content" / "entities", args.title, args.entity)
    elif args.date is None:
        raise UsageError("--date is required for an event (or give --entity KIND)")
    else:
        path = new_event(
            site_root / "content" / "events", args.title, args.date, args.tags.split(",")
        )
    print(f"Created {path.relative_to(site_root).as_posix()}")
    return EXIT_OK


COMMANDS = {
    "build": cmd_build,
    "check": cmd_check,
    "serve": cmd_serve,
    "deploy": cmd_deploy,
    "import": cmd_import,
    "new": cmd_new,
}
