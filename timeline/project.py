"""Where a site's parts live: its root, its configuration and the theme folders it layers.

The default theme is the repository's top-level `templates/`, `static/` and `locales/` (copied
into the package as `_theme/` when installed from a wheel). A site overrides any theme file by
putting a file at the same relative path in its own `templates/`, `static/` or `locales/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UsageError

if TYPE_CHECKING:
    from .config import SiteConfig
    from .datetext import DateText
    from .language import Language

PACKAGE_DIR = Path(__file__).resolve().parent


def default_theme_root() -> Path:
    """The folder holding the default `templates/` and `static/`."""
    packaged = PACKAGE_DIR / "_theme"
    return packaged if (packaged / "templates").is_dir() else PACKAGE_DIR.parent


@dataclass(frozen=True)
class SiteFolders:
    """Where a site's files are: its root folder and the theme it layers over.

    Known before the configuration is read: a build with nothing to do (`stamp.py`) looks
    only at these folders, and never loads what reading and rendering a site needs.
    """

    root: Path
    theme_root: Path

    @property
    def content_dir(self) -> Path:
        return self.root / "content" / "events"

    @property
    def periods_dir(self) -> Path:
        return self.root / "content" / "periods"

    @property
    def entities_dir(self) -> Path:
        return self.root / "content" / "entities"

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        """Template search order: the site's own first, then the default theme."""
        return _unique(self.root / "templates", self.theme_root / "templates")

    @property
    def static_dirs(self) -> tuple[Path, ...]:
        """Static overlay order: the default theme first, the site's own files on top."""
        return _unique(self.theme_root / "static", self.root / "static")

    @property
    def static_layers(self) -> tuple[tuple[Path, Path], ...]:
        """Each static folder with the folder that owns it (the theme's or the site's): a
        symbolic link in a static folder may only lead inside its owner."""
        return self._owned("static", self.static_dirs)

    @property
    def locale_dirs(self) -> tuple[Path, ...]:
        """Catalog search order: the site's `locales/` first, then the default theme's."""
        return _unique(self.root / "locales", self.theme_root / "locales")

    def _owned(self, name: str, folders: tuple[Path, ...]) -> tuple[tuple[Path, Path], ...]:
        """Each of the layered folders called `name` with the folder that owns it (the
        theme's or the site's)."""
        owners = {self.theme_root / name: self.theme_root, self.root / name: self.root}
        return tuple((folder, owners.get(folder, self.root)) for folder in folders)

    def display_path(self, path: Path | str) -> str:
        """A path as messages show it: relative to the site (or the theme) when inside it."""
        path = Path(path)
        for anchor in (self.root, self.theme_root):
            if path.is_relative_to(anchor):
                return path.relative_to(anchor).as_posix()
        return path.as_posix()

    @property
    def watched_paths(self) -> tuple[Path, ...]:
        """The folders a build reads besides site.toml, for the live preview to watch."""
        return (self.root / "content", *self.template_dirs, *self.static_dirs, *self.locale_dirs)


@dataclass(frozen=True)
class Site(SiteFolders):
    """A site on disk: its folders and its validated configuration."""

    config: SiteConfig

    @cached_property
    def language(self) -> Language:
        """The site's language, with its catalogs (read once per opening of the site)."""
        from .language import Language, catalog_files, english_catalog

        files = catalog_files(self.config.language, self._owned("locales", self.locale_dirs))
        return Language(self.config.language, files, english_catalog(self.locale_dirs[::-1]))

    @cached_property
    def dates(self) -> DateText:
        """How the site's language writes dates."""
        from .datetext import DateText

        return DateText(self.language)


def _unique(*paths: Path) -> tuple[Path, ...]:
    seen: dict[Path, None] = {}
    for path in paths:
        seen.setdefault(path.resolve(), None)
    return tuple(seen)


def site_folder(root: Path) -> Path:
    """The site folder, resolved; a mistyped `--site` is refused before anything is created
    (building would otherwise make the folder, and an output inside it, out of a typo)."""
    try:
        resolved = root.resolve()
    except (OSError, RuntimeError) as exc:  # a symbolic link loop
        raise UsageError(f"site folder {root} cannot be opened: {exc}") from None
    if not resolved.exists():
        raise UsageError(f"site folder {root} does not exist; check --site")
    if not resolved.is_dir():
        raise UsageError(f"--site {root} is a file, not a folder; give the folder holding content/")
    return resolved


def open_site(root: Path, *, base_url: str | None = None) -> Site:
    """Load a site's configuration (raising `BuildFailed` on errors) and locate its theme."""
    from .config import load_config  # with dates, languages and the model: not for `folders`

    root = site_folder(root)
    return Site(
        root=root, config=load_config(root, base_url=base_url), theme_root=default_theme_root()
    )


def site_folders(root: Path) -> SiteFolders:
    """A site's folders, without reading its configuration."""
    return SiteFolders(root=site_folder(root), theme_root=default_theme_root())
