"""Converting an XLSForm (ODK / KoBoToolbox) into the project's template format.

``convert(sheets, form_id)`` takes the workbook as pyxform reads it (``{"survey": [row
dicts], "choices": [...], "settings": [...]}``) and returns a :class:`Conversion`: the
template as TOML-ready data plus every feature it could not carry over, each named
with its survey row. ``to_toml(data)`` writes that data as TOML text.

Supported: text, integer, decimal, date, select_one, select_multiple (a select_one on
a yes/no list becomes yes_no), begin/end group (one level, ``appearance=field-list``),
label, hint, required, relevant, constraint, constraint_message.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

SIMPLE_TYPES = {"text": "text", "integer": "integer", "decimal": "decimal", "date": "date"}
METADATA_TYPES = {
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
    "username", "email", "audit", "start-geopoint",
}  # fmt: skip
SUPPORTED_COLUMNS = {
    "type", "name", "label", "hint", "required", "relevant", "constraint",
    "constraint_message", "appearance",
}  # fmt: skip
TRUE_WORDS = {"yes", "true", "true()", "1", "是"}


@dataclass
class Conversion:
    data: dict[str, Any]
    unsupported: list[str] = field(default_factory=list)


def _column(row: dict[str, Any], base: str) -> str:
    """``label`` or the first ``label::language`` column."""
    if row.get(base) not in (None, ""):
        return str(row[base]).strip()
    for key, value in row.items():
        if key.split("::")[0].strip() == base and value not in (None, ""):
            return str(value).strip()
    return ""


def _choice_lists(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    lists: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        name = str(row.get("list_name") or row.get("list name") or "").strip()
        if name and row.get("name") not in (None, ""):
            lists.setdefault(name, []).append(
                {"id": str(row["name"]).strip(), "label": _column(row, "label") or str(row["name"])}
            )
    return lists


def convert(sheets: dict[str, Any], form_id: str) -> Conversion:
    """Build template data from pyxform's sheet dicts; unsupported features are listed."""
    out = Conversion(data={})
    settings = (sheets.get("settings") or [{}])[0]
    tid = re.sub(r"\W", "_", str(settings.get("form_id") or form_id)).strip("_") or "imported"
    title = str(settings.get("form_title") or tid)
    out.data["template"] = {"id": tid, "title": title, "seed": "XLSForm import"}
    lists = _choice_lists(sheets.get("choices") or [])
    groups: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    depth = 0
    for number, row in enumerate(sheets.get("survey") or [], start=2):
        kind = str(row.get("type") or "").strip()
        name = str(row.get("name") or "").strip()
        if not kind:
            continue
        where = f"survey row {number} ({name or kind})"
        for column, value in row.items():
            if value not in (None, "") and column.split("::")[0].strip() not in SUPPORTED_COLUMNS:
                out.unsupported.append(f"{where}: column {column!r}")
        words = kind.split()
        is_repeat = len(words) > 1 and words[0] in ("begin", "end") and words[1] == "repeat"
        if is_repeat or kind in ("begin_repeat", "end_repeat"):
            out.unsupported.append(f"{where}: repeat")
            continue
        if kind in ("begin group", "begin_group"):
            depth += 1
            if depth > 1:
                out.unsupported.append(f"{where}: nested group (flattened into its parent)")
                continue
            current = {
                "id": name or f"group{len(groups) + 1}",
                "label": _column(row, "label") or name,
            }
            if _column(row, "relevant"):
                current["relevant"] = _column(row, "relevant")
            if "field-list" in _column(row, "appearance"):
                current["appearance"] = "field-list"
            current["questions"] = []
            groups.append(current)
            continue
        if kind in ("end group", "end_group"):
            depth = max(0, depth - 1)
            if depth == 0:
                current = None
            continue
        if words[0] in METADATA_TYPES:
            out.unsupported.append(f"{where}: metadata type {words[0]} (not collected)")
            continue
        question = _question(row, words, name, lists, where, out)
        if question is None:
            continue
        if current is None:
            current = {"id": f"group{len(groups) + 1}", "label": title, "questions": []}
            groups.append(current)
            depth = 0
        current["questions"].append(question)
    out.data["groups"] = [g for g in groups if g["questions"]]
    return out


def _question(
    row: dict[str, Any],
    words: list[str],
    name: str,
    lists: dict[str, list[dict[str, str]]],
    where: str,
    out: Conversion,
) -> dict[str, Any] | None:
    question: dict[str, Any] = {"id": name, "label": _column(row, "label") or name}
    base = words[0]
    if base in SIMPLE_TYPES and len(words) == 1:
        question["type"] = SIMPLE_TYPES[base]
    elif base in ("select_one", "select_multiple") and len(words) >= 2:
        if len(words) > 2 and words[2] == "or_other":
            out.unsupported.append(f"{where}: or_other (the 'other' choice is not added)")
        choices = lists.get(words[1])
        if not choices:
            out.unsupported.append(f"{where}: choice list {words[1]!r} is missing or empty")
            return None
        ids = {c["id"] for c in choices}
        if base == "select_one" and ids == {"yes", "no"}:
            question["type"] = "yes_no"
        else:
            question["type"] = base
            question["choices"] = choices
    else:
        out.unsupported.append(f"{where}: type {' '.join(words)!r}")
        return None
    if hint := _column(row, "hint"):
        question["hint"] = hint
    question["required"] = _column(row, "required").lower() in TRUE_WORDS
    for column in ("relevant", "constraint", "constraint_message"):
        if value := _column(row, column):
            question[column] = value
    return question


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            inner = ",\n".join("  " + _inline_table(v) for v in value)
            return "[\n" + inner + ",\n]"
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _inline_table(table: dict[str, Any]) -> str:
    return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in table.items()) + " }"


def to_toml(data: dict[str, Any]) -> str:
    """TOML text for converted template data (the same shape as the shipped templates)."""
    lines = ["# Imported from an XLSForm by `minqing template import`.", "[template]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in data["template"].items()]
    for group in data["groups"]:
        lines += ["", "[[groups]]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in group.items() if k != "questions"]
        for question in group["questions"]:
            lines += ["", "[[groups.questions]]"]
            lines += [f"{k} = {_toml_value(v)}" for k, v in question.items()]
    return "\n".join(lines) + "\n"
