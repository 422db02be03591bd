#!/usr/bin/env python3
"""Collects the @tr("…") strings of ui/**/*.slint, and the Japanese string
literals of the Rust sources in RUST (outside their tests), into
ui/i18n/tsunagi.pot. The Rust side translates those with
app/src/window/i18n.rs from the same catalogue.

Stands in for `slint-tr-extractor --no-default-translation-context` (the app
is built with `DefaultTranslationContext::None`, see app/build.rs). Then:

    msgmerge --update --backup=none --no-fuzzy-matching ui/i18n/en/LC_MESSAGES/tsunagi.po ui/i18n/tsunagi.pot

and translate the entries msgmerge left empty or marked fuzzy. An entry left
untranslated shows in Japanese, the source language.
"""
import pathlib
import re

UI = pathlib.Path(__file__).resolve().parent.parent
TR = re.compile(r'@tr\(\s*"((?:[^"\\]|\\.)*)"')
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
RUST = [
    "app/src/window/admin.rs",
    "app/src/window/backup.rs",
    "app/src/window/password.rs",
    "app/src/window/carry.rs",
    "app/src/window/carry_form.rs",
    "app/src/window/problem.rs",
    "app/src/window/case_fields.rs",
    "app/src/window/case.rs",
    "app/src/window/disease.rs",
    "app/src/window/disease/occupation.rs",
    "app/src/window/disease/corrections.rs",
    "app/src/window/due.rs",
    "app/src/window/plan_revisions.rs",
    "app/src/window/similar.rs",
    "app/src/window/reference.rs",
    "app/src/window/presentation.rs",
    "app/src/window/presentation/pages.rs",
    "app/src/window/sync.rs",
    "app/src/window/media/mod.rs",
    "app/src/window/media/camera.rs",
    "core/src/model/profile.rs",
    "core/src/model/basic.rs",
    "core/src/model/career.rs",
    "core/src/model/case_management.rs",
    "core/src/model/job_match.rs",
    "core/src/model/monitoring.rs",
    "core/src/model/records.rs",
    "core/src/model/mod.rs",
    "core/src/reference/diseases.rs",
]


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
    for name in RUST:
        source = (UI.parent / name).read_text(encoding="utf-8").split("#[cfg(test)]\nmod tests")[0]
        for number, line in enumerate(source.splitlines(), 1):
            if line.lstrip().startswith("//"):
                continue
            for match in LITERAL.finditer(line):
                text = match.group(1)
                if JAPANESE.search(text):
                    seen.setdefault(text, []).append(f"{name}:{number}")
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
