"""A saved page's lines, each flagged article or left out: what the
boilerplate classifier (search/ingest/boilerplate.py) decides, stored with
the document (as JSON) so that the document view can show the lines left
out apart. No dependencies: the serving side reads it without the ingest
code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Page:
    """A page's lines in order, each flagged article (True) or dropped."""

    blocks: tuple[tuple[bool, str], ...]

    @property
    def article(self) -> str:
        return "\n".join(line for kept, line in self.blocks if kept)

    @property
    def dropped(self) -> str:
        return "\n".join(line for kept, line in self.blocks if not kept)

    @property
    def all_text(self) -> str:
        return "\n".join(line for _, line in self.blocks)

    def _runs(self) -> dict[str, Any]:
        """``{"first": flag of the first line, "runs": lengths of the runs of
        lines with the same flag}``."""
        runs: list[list[Any]] = []  # [flag, length] of each run
        for kept, _ in self.blocks:
            if runs and runs[-1][0] == kept:
                runs[-1][1] += 1
            else:
                runs.append([kept, 1])
        return {"first": runs[0][0] if runs else True, "runs": [n for _, n in runs]}

    def to_json(self) -> str:
        """The page as compact JSON: the whole text once, and the lengths of
        the runs of lines with the same flag, the first run's flag given."""
        lines = [line for _, line in self.blocks]
        return json.dumps(self._runs() | {"lines": lines}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Page:
        data = json.loads(text)
        lines, flag = iter(data["lines"]), bool(data["first"])
        blocks: list[tuple[bool, str]] = []
        for length in data["runs"]:
            blocks.extend((flag, next(lines)) for _ in range(length))
            flag = not flag
        if len(blocks) != len(data["lines"]):
            raise ValueError("the runs do not cover the page's lines")
        return cls(tuple(blocks))

    def stored_json(self) -> str:
        """What the index stores beside the article: the runs and the lines
        left out only (the article's lines are the stored body's), so a
        page's text is not stored twice."""
        dropped = [line for kept, line in self.blocks if not kept]
        return json.dumps(self._runs() | {"dropped": dropped}, ensure_ascii=False)

    @classmethod
    def from_stored(cls, text: str, article: str) -> Page:
        """The Page of ``stored_json`` and the article (the stored body)."""
        data = json.loads(text)
        kept_lines, dropped = iter(article.split("\n")), iter(data["dropped"])
        flag = bool(data["first"])
        blocks: list[tuple[bool, str]] = []
        try:
            for length in data["runs"]:
                blocks.extend((flag, next(kept_lines if flag else dropped)) for _ in range(length))
                flag = not flag
        except StopIteration:
            raise ValueError("the runs do not match the article's lines") from None
        return cls(tuple(blocks))
