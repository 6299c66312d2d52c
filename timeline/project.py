"""Where a site's parts live: its root, its configuration and the theme folders it layers.

The default theme is the repository's top-level `templates/` and `static/` (copied into the
package as `_theme/` when installed from a wheel). A site overrides any theme file by putting
a file at the same relative path in its own `templates/` or `static/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import SiteConfig, load_config

PACKAGE_DIR = Path(__file__).resolve().parent


def default_theme_root() -> Path:
    """The folder holding the default `templates/` and `static/`."""
    packaged = PACKAGE_DIR / "_theme"
    return packaged if (packaged / "templates").is_dir() else PACKAGE_DIR.parent


@dataclass(frozen=True)
class Site:
    """A site on disk: its root folder, validated configuration and theme layers."""

    root: Path
    config: SiteConfig
    theme_root: Path

    @property
    def content_dir(self) -> Path:
        return self.root / "content" / "events"

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        """Template search order: the site's own first, then the default theme."""
        return _unique(self.root / "templates", self.theme_root / "templates")

    @property
    def static_dirs(self) -> tuple[Path, ...]:
        """Static overlay order: the default theme first, the site's own files on top."""
        return _unique(self.theme_root / "static", self.root / "static")

    @property
    def watched_paths(self) -> tuple[Path, ...]:
        """The folders a build reads besides site.toml, for the live preview to watch."""
        return (self.root / "content", *self.template_dirs, *self.static_dirs)


def _unique(*paths: Path) -> tuple[Path, ...]:
    seen: dict[Path, None] = {}
    for path in paths:
        seen.setdefault(path.resolve(), None)
    return tuple(seen)


def open_site(root: Path, *, base_url: str | None = None) -> Site:
    """Load a site's configuration (raising `BuildFailed` on errors) and locate its theme."""
    root = root.resolve()
    return Site(
        root=root, config=load_config(root, base_url=base_url), theme_root=default_theme_root()
    )
