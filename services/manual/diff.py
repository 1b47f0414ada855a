"""A readable comparison of two versions, section by section and line by line (difflib on the server): each line is
kept, removed or added; long runs of unchanged lines fold to a count, with two lines of context either side."""

import difflib
from dataclasses import dataclass, field

from models.manual import SECTIONS

CONTEXT = 2


@dataclass
class SectionDiff:
    name: str
    rows: list = field(default_factory=list)  # (kind, text): kind in same/removed/added/skip (text = count)
    added: int = 0
    removed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def _lines(text: str) -> list[str]:
    return (text or "").replace("\r\n", "\n").split("\n") if text else []


def section_diff(name: str, old: str, new: str) -> SectionDiff:
    result = SectionDiff(name)
    a, b = _lines(old), _lines(new)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            same = a[i1:i2]
            if len(same) > 2 * CONTEXT + 1:
                head = same[:CONTEXT] if result.rows else []
                tail = same[-CONTEXT:] if i2 < len(a) or j2 < len(b) else []
                result.rows += [("same", line) for line in head]
                result.rows.append(("skip", len(same) - len(head) - len(tail)))
                result.rows += [("same", line) for line in tail]
            else:
                result.rows += [("same", line) for line in same]
            continue
        result.rows += [("removed", line) for line in a[i1:i2]]
        result.rows += [("added", line) for line in b[j1:j2]]
        result.removed += i2 - i1
        result.added += j2 - j1
    return result


def compare(old, new) -> list[SectionDiff]:
    """Every section of two versions (``ManualVersion``), in PRO 008's order."""
    return [section_diff(name, getattr(old, name), getattr(new, name)) for name in SECTIONS]
