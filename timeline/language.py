"""The reader's language: CLDR locale data (Babel) and the interface's gettext catalogs.

The default theme ships a catalog per language in `locales/<lang>/LC_MESSAGES/messages.po`;
a site may put its own at the same path, to override some strings or to add a language. The
`.po` files are read and compiled in memory at every build (no `pybabel compile` step), the
site's catalog first, then the theme's, then the English of the templates themselves, so a
string missing from a catalog still reads, in English, and the build says which are missing.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import NullTranslations, Translations

from .errors import Problem

DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
# CLDR's `en` is American English (February 28, 2019); a site that says only `en` gets the
# international form (28 February 2019), and `en-US` the American one.
PLAIN_ENGLISH = "en_001"
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
SCRIPT_KEYWORDS = {"_": None, "ngettext": (1, 2)}


def N_(message: str) -> str:
    """Mark a string for the catalogs without translating it here: it is translated where it
    is shown, in the reader's language."""
    return message


def parse_locale(tag: str) -> Locale:
    """The CLDR locale of a BCP 47 tag (`ko`, `zh-Hans`, `pt-BR`); `UnknownLocaleError` when
    CLDR has no data for it."""
    locale = Locale.parse(tag.replace("-", "_"))
    if str(locale) == SOURCE_LANGUAGE:
        return Locale.parse(PLAIN_ENGLISH)
    return locale


def locale_problem(tag: str) -> str | None:
    """What is wrong with a language tag, for the `language` setting's check."""
    try:
        parse_locale(tag)
    except (UnknownLocaleError, ValueError):
        return f"has no CLDR locale data for {tag!r}; use a tag such as en, ko, ja, zh-Hans or ar"
    return None


def catalog_names(tag: str) -> tuple[str, ...]:
    """The folder names a catalog for `tag` may have, most specific first: `zh-CN` is looked
    up as zh_Hans_CN, zh_Hans, zh_CN, zh (and in BCP 47 spelling, zh-Hans-CN, ...)."""
    locale = Locale.parse(tag.replace("-", "_"))
    likely = get_global("likely_subtags").get(locale.language, "")
    script = locale.script or (likely.split("_")[1] if likely.count("_") == 2 else None)
    parts = [
        (locale.language, script, locale.territory),
        (locale.language, script, None),
        (locale.language, None, locale.territory),
        (locale.language, None, None),
    ]
    names: dict[str, None] = {}
    for language, script_part, territory in parts:
        words = [w for w in (language, script_part, territory) if w]
        names.setdefault("_".join(words), None)
        names.setdefault("-".join(words), None)
    return tuple(names)


@dataclass(frozen=True)
class CatalogFile:
    """A `.po` file a build reads, and the folder (the site's or the theme's) that owns it."""

    path: Path
    shown_as: str


class Language:
    """Everything language-dependent a build needs: the locale, the gettext functions the
    templates call, and what the catalogs lack."""

    def __init__(self, tag: str, catalogs: Sequence[CatalogFile], english: Catalog | None) -> None:
        self.tag = tag
        self.locale = parse_locale(tag)
        self.problems: list[Problem] = []
        self._catalogs = [c for c in (self._read(f) for f in catalogs) if c is not None]
        # What the language's words depend on, for what is kept from one build to the next.
        words = repr((tag, [list(_texts(c)) for c in self._catalogs]))
        self.fingerprint = hashlib.blake2b(words.encode(), digest_size=8).hexdigest()
        self._english = english
        self.translations = self._chain(self._catalogs)

    @property
    def direction(self) -> str:
        """`rtl` for right-to-left scripts (Arabic, Hebrew, ...), else `ltr`."""
        return "rtl" if self.locale.text_direction == "rtl" else "ltr"

    @property
    def is_source(self) -> bool:
        """Whether the interface is the templates' own English (no catalog is needed)."""
        return self.locale.language == SOURCE_LANGUAGE

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def _read(self, file: CatalogFile) -> Catalog | None:
        """A catalog, or None with a problem naming its line: Babel's reader refuses a
        message without a translation, and quietly cuts an unterminated string, which
        `msgfmt` would refuse, so that is checked here."""
        try:
            data = file.path.read_bytes()
            line = _unterminated(data.decode("utf-8"))
            if line is not None:
                raise PoFileError(
                    "a string is not closed with a double quote", None, None, line - 1
                )
            return read_po(io.BytesIO(data), locale=self.locale, abort_invalid=True)
        except (PoFileError, OSError, UnicodeDecodeError, ValueError) as exc:
            index = getattr(exc, "lineno", None)
            message = re.sub(r" on -?\d+$", "", str(getattr(exc, "message", None) or exc))
            line = index + 1 if isinstance(index, int) and index >= 0 else None
            self.problems.append(Problem(file.shown_as, line, "", f"unreadable catalog: {message}"))
            return None

    def _chain(self, catalogs: list[Catalog]) -> NullTranslations:
        """The catalogs as one gettext object: the first that translates a string wins."""
        chain: NullTranslations = NullTranslations()
        for catalog in reversed(catalogs):
            for message in [m for m in catalog if m.id and not _complete(m)]:
                del catalog[message.id]  # an empty msgstr: the next catalog says it
            compiled = io.BytesIO()
            write_mo(compiled, catalog, use_fuzzy=False)
            compiled.seek(0)
            translations = Translations(compiled, domain=DOMAIN)
            translations.add_fallback(chain)
            chain = translations
        return chain

    @cached_property
    def missing(self) -> tuple[str, ...]:
        """The theme's interface strings no catalog translates into this language."""
        if self.is_source or self._english is None:
            return ()
        done: set[str] = set()
        for catalog in self._catalogs:
            done.update(_translated(catalog))
        return tuple(sorted(m for m in _translated(self._english) if m not in done))

    def script_strings(self, scripts: Iterable[str]) -> dict[str, str | dict[str, str]]:
        """The translations of the strings the scripts show (in `_()` and `ngettext()`), for
        the page to hand them; none in English, where the scripts show their own."""
        if self.is_source:
            return {}
        table: dict[str, str | dict[str, str]] = {}
        for source in scripts:
            found = extract("javascript", io.BytesIO(source.encode()), keywords=SCRIPT_KEYWORDS)
            for _line, message, _comments, _context in found:
                if isinstance(message, tuple):
                    table[message[0]] = self.plural_forms(message[0], message[1])
                else:
                    table[message] = self.gettext(message)
        return dict(sorted(table.items()))

    def plural_forms(self, singular: str, plural: str) -> dict[str, str]:
        """A plural string's translation for each CLDR plural category of the language, for
        scripts (which pick the category with `Intl.PluralRules`, the same CLDR rules)."""
        forms = {}
        for category in PLURAL_CATEGORIES:
            sample = _sample(self.locale, category)
            if sample is not None:
                forms[category] = self.ngettext(singular, plural, sample)
        return forms


def _unterminated(text: str) -> int | None:
    """The first line (1-based) holding a quoted string that is not closed, if any."""
    for number, line in enumerate(text.splitlines(), 1):
        body = line.strip()
        if body.startswith(("msgid", "msgstr", "msgctxt", '"')) and '"' in body:
            quoted = body[body.index('"') :]
            if len(quoted) < 2 or not re.fullmatch(r'"(?:[^"\\]|\\.)*"', quoted):
                return number
    return None


@lru_cache(maxsize=256)
def _sample(locale: Locale, category: str) -> int | None:
    """A whole number in `category` of the locale's plural rules (none: not a category);
    found once per language, not once per string."""
    return next((n for n in range(0, 1001) if locale.plural_form(n) == category), None)


def _translated(catalog: Catalog) -> Iterable[str]:
    for message in catalog:
        if message.id and _complete(message):
            yield message.id if isinstance(message.id, str) else message.id[0]


def _texts(catalog: Catalog) -> Iterable[tuple[object, object]]:
    return ((message.id, message.string) for message in catalog if message.id)


def _complete(message: Message) -> bool:
    """Whether a message is translated: every plural form, and not marked fuzzy."""
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(strings) and not message.fuzzy


def english_catalog(folders: Iterable[Path]) -> Catalog | None:
    """The theme's English catalog: the list of every interface string."""
    for folder in folders:
        path = folder / SOURCE_LANGUAGE / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            with path.open("rb") as handle:
                return read_po(handle, locale=SOURCE_LANGUAGE)
    return None


def catalog_files(tag: str, folders: Sequence[tuple[Path, Path]]) -> list[CatalogFile]:
    """The `.po` files for `tag` in the given (locales folder, owner) pairs, in the order they
    are consulted (the site's before the theme's)."""
    found = []
    for folder, owner in folders:
        for name in catalog_names(tag):
            path = folder / name / "LC_MESSAGES" / f"{DOMAIN}.po"
            if path.is_file():
                found.append(CatalogFile(path, path.relative_to(owner).as_posix()))
                break
    return found
