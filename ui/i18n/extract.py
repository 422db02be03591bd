#!/usr/bin/env python3
"""Collects the @tr("…") strings of ui/**/*.slint into ui/i18n/tsunagi.pot.

Stands in for `slint-tr-extractor --no-default-translation-context` (the app
is built with `DefaultTranslationContext::None`, see app/build.rs). Then:

    msgmerge --update --backup=none ui/i18n/en/LC_MESSAGES/tsunagi.po ui/i18n/tsunagi.pot

and translate the entries msgmerge left empty or marked fuzzy. An entry left
untranslated shows in Japanese, the source language.
"""
import pathlib
import re

UI = pathlib.Path(__file__).resolve().parent.parent
TR = re.compile(r'@tr\(\s*"((?:[^"\\]|\\.)*)"')


def po_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main() -> None:
    seen: dict[str, list[str]] = {}
    for path in sorted(UI.rglob("*.slint")):
        source = path.read_text(encoding="utf-8")
        for match in TR.finditer(source):
            raw = match.group(1)
            text = bytes(raw, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8") if "\\" in raw else raw
            line = source.count("\n", 0, match.start()) + 1
            seen.setdefault(text, []).append(f"{path.relative_to(UI.parent)}:{line}")
    out = [
        'msgid ""',
        'msgstr ""',
        '"Project-Id-Version: tsunagi\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Content-Transfer-Encoding: 8bit\\n"',
        "",
    ]
    for text, places in seen.items():
        out += ["#: " + " ".join(places), "msgid " + po_quote(text), 'msgstr ""', ""]
    (UI / "i18n" / "tsunagi.pot").write_text("\n".join(out), encoding="utf-8")
    print(f"{len(seen)} strings")


if __name__ == "__main__":
    main()
