"""The French catalogue is complete, compiled, and actually used.

French is the default language; English is the source language of every message. These tests
fail when someone wraps a new string for translation without adding it to
``src/rucher/locale/fr/LC_MESSAGES/django.po``, leaves an entry untranslated or fuzzy, or
edits the ``.po`` without recompiling the ``.mo``.
"""

from __future__ import annotations

import ast
import gettext
import io
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client
from django.utils import translation

import rucher
from rucher.conversations import actions
from rucher.errors import Invalid

PACKAGE = Path(rucher.__file__).resolve().parent
PO_FILE = PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
# The insights engine has no Django import and the demo writes data, not UI: neither is
# extracted (see the makemessages command in docs).
NOT_EXTRACTED = ("insights", "demo")
TRANSLATION_CALLS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
CONTEXT_CALLS = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}

INLINE_TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<text>.*?)(?P=q)""", re.S)
BLOCK_TAG = re.compile(
    r"{%\s*blocktrans(?:late)?\b(?P<options>.*?)%}(?P<body>.*?){%\s*endblocktrans(?:late)?\s*%}",
    re.S,
)
BLOCK_VARIABLE = re.compile(r"{{\s*(\w+)\s*}}")
LONE_PERCENT = re.compile(r"(?<!%)%(?!%)")
NAMED_PLACEHOLDER = re.compile(r"%\((\w+)\)")


def load_catalogue() -> Catalog:
    with PO_FILE.open("rb") as po:
        return read_po(po, locale="fr")


def as_strings(value: object) -> tuple[str, ...]:
    """A catalogue id or string as a tuple: (singular,) or (singular, plural)."""
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value) if isinstance(value, tuple | list) else ("",)


def catalogue_ids(catalogue: Catalog) -> set[str]:
    """Every singular msgid (plural entries are known by their singular)."""
    return {as_strings(m.id)[0] for m in catalogue if m.id}


# --- what the sources ask to translate ----------------------------------------------------


def template_messages(text: str) -> Iterator[str]:
    """The msgids of a template, spelled the way Django's extraction spells them."""
    for match in INLINE_TAG.finditer(text):
        yield LONE_PERCENT.sub("%%", match["text"])
    for match in BLOCK_TAG.finditer(text):
        singular = re.split(r"{%\s*plural\s*%}", match["body"])[0]
        if "trimmed" in match["options"].split():
            singular = re.sub(r"\s*\n\s*", " ", singular.strip())
        yield BLOCK_VARIABLE.sub(r"%(\1)s", singular.replace("%", "%%"))


def python_messages(source: str, inside_f_strings: bool = True) -> Iterator[str]:
    """Literal first arguments (second for the context variants) of gettext-style calls;
    implicit concatenation of adjacent literals is resolved by the parser."""
    tree = ast.parse(source)
    skipped = (
        set()
        if inside_f_strings
        else {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.JoinedStr)
            for inner in ast.walk(node)
        }
    )
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if id(node) in skipped:
            continue
        if node.func.id not in TRANSLATION_CALLS:
            continue
        position = 1 if node.func.id in CONTEXT_CALLS else 0
        if len(node.args) > position:
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                yield argument.value


def extracted_files() -> Iterable[Path]:
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE).parts
        if relative[0] in NOT_EXTRACTED or path.suffix not in (".py", ".html", ".txt"):
            continue
        yield path


def wrapped_messages(files: Iterable[Path]) -> dict[str, str]:
    """msgid -> where it was first seen."""
    found: dict[str, str] = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        # Calls inside f-strings have their own test below (makemessages cannot see them).
        messages = (
            python_messages(text, inside_f_strings=False)
            if path.suffix == ".py"
            else template_messages(text)
        )
        for message in messages:
            where = path.relative_to(PACKAGE) if path.is_relative_to(PACKAGE) else path.name
            found.setdefault(message, str(where))
    return found


def untranslated(found: dict[str, str], known: set[str]) -> list[str]:
    return sorted(f"{where}: {msgid!r}" for msgid, where in found.items() if msgid not in known)


# --- (a) the catalogue is complete --------------------------------------------------------


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    catalogue = load_catalogue()
    assert not catalogue.fuzzy, "the header is marked fuzzy"
    assert catalogue.plural_forms == "nplurals=2; plural=(n > 1);"
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        strings, source = as_strings(message.string), as_strings(message.id)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if len(source) == 2 and len(strings) != 2:
            problems.append(f"needs 2 plural forms: {message.id!r}")
        if not all(s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r}")
        wanted = set(NAMED_PLACEHOLDER.findall(source[-1]))
        for translated in strings:
            if set(NAMED_PLACEHOLDER.findall(translated)) != wanted:
                problems.append(f"placeholders differ: {message.id!r} -> {translated!r}")
    assert len(catalogue) > 100
    assert not problems, "\n".join(problems)


# --- (b) every wrapped string is in the catalogue -----------------------------------------


def test_every_wrapped_string_is_in_the_catalogue() -> None:
    found = wrapped_messages(extracted_files())
    assert "Home" in found and "space not found" in found  # the scan sees both kinds of file
    missing = untranslated(found, catalogue_ids(load_catalogue()))
    assert not missing, (
        "wrapped for translation but not in the French catalogue (run makemessages, "
        "translate, compile):\n" + "\n".join(missing)
    )


def test_the_scan_reports_a_newly_wrapped_string(tmp_path: Path) -> None:
    template = tmp_path / "new.html"
    template.write_text(
        '{% load i18n %}{% translate "Home" %}{% translate "A brand new label" %}'
        "{% blocktranslate trimmed with n=count %}\n  {{ n }} new\n  things at 100%"
        "{% endblocktranslate %}"
    )
    module = tmp_path / "new.py"
    module.write_text(
        "from django.utils.translation import gettext as _\n"
        'MESSAGE = _("space not found")\n'
        'OTHER = _("a new error " "message")\n'
    )
    found = wrapped_messages([template, module])
    assert set(found) == {
        "Home",
        "A brand new label",
        "%(n)s new things at 100%%",
        "space not found",
        "a new error message",
    }
    known = catalogue_ids(load_catalogue())
    assert [m.split(": ", 1)[1] for m in untranslated(found, known)] == [
        "'%(n)s new things at 100%%'",
        "'A brand new label'",
        "'a new error message'",
    ]


def test_no_translation_call_hides_inside_an_f_string() -> None:
    """makemessages (xgettext) does not look inside f-strings: such a string is never
    extracted, so it stays English. Translate first, then format: _("%(a)s from %(b)s")."""
    hidden = []
    for path in extracted_files():
        if path.suffix != ".py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                for message in python_messages(ast.unparse(ast.Expression(node))):
                    hidden.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {message!r}")
    assert not hidden, "\n".join(hidden)


# Errors shown to a person: the actions' errors (rucher.errors), the API's HttpError, the
# pages' Http404 and form validation errors. The message is the first argument (HttpError:
# the second, after the status) or the ``message`` keyword.
ERROR_CLASSES = {
    "ActionError",
    "Invalid",
    "NotFound",
    "Forbidden",
    "Conflict",
    "HttpError",
    "Http404",
    "ValidationError",
    "AuthenticationError",
}
MESSAGE_POSITION = {"HttpError": 1, "AuthenticationError": 1}
# The command line speaks to the server's operator, in English like the logs and --help.
NOT_SHOWN_TO_USERS = ("commands", "cli.py")


def _called_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _is_literal_text(node: ast.expr) -> bool:
    """English written in the code: a string literal, an f-string, or a literal formatted
    with % or .format() (a translated message is a gettext call, formatted afterwards)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return _is_literal_text(node.left) or (
            isinstance(node.op, ast.Add) and _is_literal_text(node.right)
        )
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return _is_literal_text(node.func.value)
    return False


def untranslated_errors(source: str) -> Iterator[tuple[int, str]]:
    """(line, code) of each error built with a message that is not translated."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node)
        if name not in ERROR_CLASSES:
            continue
        position = MESSAGE_POSITION.get(name, 0)
        messages = [k.value for k in node.keywords if k.arg == "message"]
        if len(node.args) > position:
            messages.append(node.args[position])
        if any(_is_literal_text(m) for m in messages):
            yield node.lineno, ast.unparse(node)


def test_every_error_message_shown_to_a_person_is_translated() -> None:
    """A refusal reaches the person in their language: its message is a gettext call (with
    named placeholders filled in afterwards), never a bare literal or an f-string."""
    found = []
    for path in extracted_files():
        relative = path.relative_to(PACKAGE)
        if path.suffix != ".py" or relative.parts[0] in NOT_SHOWN_TO_USERS:
            continue
        for line, code in untranslated_errors(path.read_text(encoding="utf-8")):
            found.append(f"{relative}:{line}: {code}")
    assert not found, "error messages never translated:\n" + "\n".join(found)


def test_the_error_scan_sees_literals_and_f_strings() -> None:
    source = (
        "from django.utils.translation import gettext as _\n"
        'raise Invalid("plain")\n'
        'raise NotFound(f"{what} not found")\n'
        'raise HttpError(429, "too many")\n'
        'raise Http404("page " + "not found")\n'
        'raise Invalid("%s is wrong" % name)\n'
        'raise errors.Conflict(message="{} taken".format(name))\n'
        'raise Invalid(_("translated"))\n'
        'raise Invalid(_("%(n)s wrong") % {"n": name})\n'
        "raise Http404(error.message)\n"
        'raise HttpError(401, _("sign in"))\n'
        'raise ValueError("internal, not shown")\n'
    )
    assert [line for line, _code in untranslated_errors(source)] == [2, 3, 4, 5, 6, 7]


# --- (c) the compiled catalogue matches its source ----------------------------------------


def test_the_mo_file_is_compiled_from_the_current_po() -> None:
    compiled = io.BytesIO()
    write_mo(compiled, load_catalogue())
    compiled.seek(0)
    expected = gettext.GNUTranslations(compiled)
    with MO_FILE.open("rb") as mo:
        shipped = gettext.GNUTranslations(mo)
    # The header entry ("") differs between compilers; the messages must not.
    want = {k: v for k, v in expected._catalog.items() if k != ""}  # type: ignore[attr-defined]
    have = {k: v for k, v in shipped._catalog.items() if k != ""}  # type: ignore[attr-defined]
    assert have == want, "django.mo is stale: compile django.po again"


# --- (d) the catalogue is what people see -------------------------------------------------


@pytest.mark.django_db
def test_pages_are_french_by_default_and_english_on_request(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    client = client_for(world["alice"])
    french = client.get("/").content.decode()
    assert '<html lang="fr"' in french
    assert "Accueil" in french and ">Home<" not in french

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302
    english = client.get("/").content.decode()
    assert '<html lang="en"' in english
    assert "Home" in english and "Accueil" not in english


@pytest.mark.django_db
def test_api_errors_speak_the_callers_language(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    client = client_for(world["alice"])
    french = client.get("/api/v1/posts/987654", HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 404
    assert french.json() == {"detail": "contenu introuvable"}
    english = client.get("/api/v1/posts/987654", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json() == {"detail": "content not found"}


@pytest.mark.django_db
def test_action_messages_follow_the_active_language(world: dict[str, Any]) -> None:
    """Outside a request the default language (French) applies; one msgid per message, with
    the values filled in after translation."""
    # A test client request leaves its language active in this thread: start from none.
    translation.deactivate()
    limit = settings.RUCHER_MAX_TEXT_LENGTH
    too_long = "x" * (limit + 1)
    with pytest.raises(Invalid) as french:
        actions.publish(world["alice"], world["open"], too_long)
    assert french.value.message == (
        f"le champ «\u00a0texte\u00a0» est limité à {limit} caractères ({limit + 1} saisis)"
    )
    with translation.override("en"), pytest.raises(Invalid) as english:
        actions.publish(world["alice"], world["open"], too_long)
    assert english.value.message == f"text has at most {limit} characters ({limit + 1} given)"
