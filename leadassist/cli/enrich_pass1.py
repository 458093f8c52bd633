"""Pass 1 of `leadassist enrich`: every record's lead learned (Enricher.learn) and its domain key noted (RowKeys).

A big file is read in two parts at once: it is cut about halfway at a likely record start (crmcsv.parts), a
forked child learns the second part into its own copy of the (still empty) engine while this process learns the
first, and the child's learning is merged after this process's, so the engine, the keys and the problem rows are
exactly what one pass in file order gives. When this process's part does not end cleanly at the cut (a quoted
field across it, a row it could not parse), when the child's problem rows are too many to carry, or when the
child fails, its part is dropped and the whole file is read again in one pass, as before.
"""

from __future__ import annotations

import os
import time
from array import array
from collections.abc import Callable
from typing import NamedTuple

from leadassist.cli.enrich_procs import PartWorker
from leadassist.core import crmcsv
from leadassist.core.crmcsv.parts import cut_offset
from leadassist.core.enrich import Enricher, LearnedLeads, domain_key
from leadassist.core.errors import LeadAssistError
from leadassist.core.models import Lead, Progress

# From this size a file's pass 1 is read in two parts at once (smaller ones take well under a second in one).
SPLIT_MIN_BYTES = 4 << 20
# This process's share of the file: the child sends its part while this one still reads (it waits less at the end).
PARENT_SHARE = 0.55


class RowKeys:
    """Each record's domain key from pass 1, as a small number per record (4 bytes) into the distinct keys: later
    passes look a record's key up instead of working it out again, and read only the records they need."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str, str], int] = {}
        self.keys: list[tuple[str, str, str]] = []
        self.of_row = array("i")

    def add(self, key: tuple[str, str, str]) -> None:
        """The next record's key."""
        kid = self.ids.get(key)
        if kid is None:
            kid = self.ids[key] = len(self.keys)
            self.keys.append(key)
        self.of_row.append(kid)

    def extend(self, other: RowKeys) -> None:
        """The records of `other` (the file's next part) after these, as if each had been `add`ed here."""
        ids, keys = self.ids, self.keys
        mapped = []
        for key in other.keys:  # in the order other first saw them: new ones numbered as add() would have
            kid = ids.get(key)
            if kid is None:
                kid = ids[key] = len(keys)
                keys.append(key)
            mapped.append(kid)
        self.of_row.extend(array("i", map(mapped.__getitem__, other.of_row)))

    def key(self, lead: Lead) -> tuple[str, str, str]:
        """A lead's domain key (worked out when its record was not in pass 1)."""
        row = lead.row
        return self.keys[self.of_row[row]] if 0 <= row < len(self.of_row) else domain_key(lead)

    def rows_with(self, keys: set[tuple[str, str, str]]) -> list[int]:
        """The numbers of the records with one of `keys`, in file order."""
        wanted = {self.ids[k] for k in keys if k in self.ids}
        return [i for i, kid in enumerate(self.of_row) if kid in wanted]


class FirstPass(NamedTuple):
    """What pass 1 leaves for the rest of the run."""

    engine: Enricher
    row_keys: RowKeys
    total: int
    mapping: crmcsv.HeaderMapping
    dialect: crmcsv.CsvDialect
    header: list[str]
    rejects: list[crmcsv.RejectedRow]
    parts: int  # 2 when the file was read in two parts at once, else 1


class _Part(NamedTuple):
    """The child's part of pass 1, sent back whole."""

    learned: LearnedLeads
    row_keys: RowKeys
    total: int
    rejects: list[crmcsv.RejectedRow]
    whole: bool  # every problem row is in `rejects` (else the part cannot be merged exactly)


def _learn(
    src: crmcsv.CsvSource, engine: Enricher, row_keys: RowKeys, on_count: Callable[[int], None] | None = None
) -> int:
    total = 0
    mapping = src.mapping
    for rec in src.records():
        lead = crmcsv.lead_from_cells(total, rec.cells, mapping)  # the row number is not learned from
        engine.learn(lead)
        row_keys.add(domain_key(lead))
        total += 1
        if on_count is not None and total % 5000 == 0:
            on_count(total)
    return total


def first_pass(
    path: os.PathLike[str] | str, make_engine: Callable[[], Enricher], show: Callable[[Progress], None],
    start: float, split: bool,
) -> FirstPass:  # fmt: skip
    """Learn every record of `path` into an engine from `make_engine` (called again if a split has to be read
    again); with `split` (a spare core, a platform that forks) a file of SPLIT_MIN_BYTES or more in two parts."""
    dialect = crmcsv.detect_dialect(path)
    engine, row_keys = make_engine(), RowKeys()

    def progress(n: int) -> None:
        show(Progress("reading", n, 0, time.monotonic() - start))

    cut = cut_offset(path, dialect, PARENT_SHARE) if split and os.path.getsize(path) >= SPLIT_MIN_BYTES else None
    if cut is not None:
        with crmcsv.CsvSource(path, dialect, until=cut[0]) as src:

            def second_part() -> _Part:
                with src.rest(*cut) as rest:
                    keys = RowKeys()
                    n = _learn(rest, engine, keys)  # the child's copy of the engine, as it was made
                    return _Part(engine.learned(), keys, n, list(rest.rejects), rest.rejects_whole)

            worker = PartWorker(second_part)
            try:
                total = _learn(src, engine, row_keys, progress)
                part = None
                if src.parse_errors == 0:  # this part ended on a record boundary at the cut: the child's holds
                    try:
                        part = worker.wait()
                    except (LeadAssistError, RuntimeError):
                        part = None  # read the whole file here instead (its errors, if any, come up there)
            finally:
                worker.stop()
            if part is not None and part.whole:
                engine.merge_learned(part.learned)
                row_keys.extend(part.row_keys)
                src.add_rejects(part.rejects)
                return FirstPass(engine, row_keys, total + part.total, src.mapping, dialect, src.header,
                                 list(src.rejects), 2)  # fmt: skip
        engine, row_keys = make_engine(), RowKeys()
    with crmcsv.CsvSource(path, dialect) as src:
        total = _learn(src, engine, row_keys, progress)
        return FirstPass(engine, row_keys, total, src.mapping, dialect, src.header, list(src.rejects), 1)
