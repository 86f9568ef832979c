"""mkdocs hook: the frame contracts page's tables, generated from the declared columns.

``docs/frames.md`` holds the marker ``<!-- frame-contracts -->``; this hook replaces it with one
table per contract in ``simtools.frames.contracts.CONTRACTS`` (column, dtype, wire field, known
values, notes), so the page cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

MARKER = "<!-- frame-contracts -->"
#: What an ``object`` column holds, by the column's declared kind.
_HOLDS = {"tuple": " (tuples of text)", "numbers": " (lists of numbers)", "json": " (JSON text)"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def contract_tables() -> str:
    """Markdown: a section per frame contract with a row per declared column."""
    from simtools.frames.contracts import CONTRACTS

    parts: list[str] = []
    for name, contract in CONTRACTS.items():
        parts += [
            f"## `{name}`",
            "",
            f"{len(contract.names)} columns always present"
            + (
                f", {len(contract.optional_names)} when the source has them"
                if contract.optional_names
                else ""
            )
            + f"; a row is a {contract.noun}"
            + (f", named in warnings by `{contract.label}`." if contract.label else "."),
            "",
            "| column | dtype | wire field | known values | notes |",
            "| --- | --- | --- | --- | --- |",
        ]
        for column in contract.columns:
            notes = [
                note
                for flag, note in (
                    (column.path is None, "computed"),
                    (column.optional, "optional"),
                    (not column.kept, "read, not kept"),
                    (column.required, "required"),
                    (column.negative, "may be negative"),
                )
                if flag
            ]
            if column.doc:
                notes.append(column.doc)
            path = f"`{column.path}`" if column.path else ""
            values = ", ".join(f"`{v}`" for v in column.categories)
            dtype = f"`{column.dtype}`" + _HOLDS.get(column.kind, "")
            parts.append(
                f"| `{column.name}` | {dtype} | {path} | {_cell(values)} "
                f"| {_cell('; '.join(notes))} |"
            )
        parts.append("")
    return "\n".join(parts)


def on_page_markdown(markdown: str, page: Any, **_kwargs: Any) -> str:
    """Fill the contracts page's marker with the generated tables."""
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, contract_tables())
