"""What a failed or killed run leaves in the live generation, and its removal.

A run writes its segments' files (Whoosh's, our ``.postings`` and
``.checksums``) into the live generation before its table of contents names
them; Whoosh deletes files no table of contents names only when a commit
succeeds. A run that fails (a full disk) or is killed leaves them behind, and
on a full disk they keep it full, so every later run failed too.

Which files are safe to delete: those of segments that neither the newest
table of contents nor the one before it names. Whoosh deletes a replaced
table of contents and its segments at every commit, and a serving worker
that read the replaced one and meets a vanished segment opens the newer one
again (search/postings/view.py); a table of contents older than the one
before the newest is kept by nothing. A file a worker holds open or mapped
survives its deletion on Linux. Called under the write lock only, so that no
run is writing segments meanwhile, and only while holding Whoosh's own
writer lock too: a writer outside these runs (a script) keeps its files.
"""

import os
import shutil
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

INDEX_NAME = "MAIN"  # Whoosh's default index name, the one these indexes use
# Temporary files of a run: the writer's scratch folder (Whoosh's temp
# storage) and the names tables before their rename (search/names/tables.py).
SCRATCH_FOLDER = f"{INDEX_NAME}.tmp"
NAMES_TEMPORARY_GLOB = ".name_keys.sqlite.*"
# and the duplicate groups before theirs (search/duplicate_groups.py).
GROUPS_TEMPORARY_GLOB = ".duplicate-groups-*.npy.*"


def _referenced_segments(storage: FileStorage) -> set[str]:
    """The segment ids the newest two tables of contents name."""
    pattern = TOC._pattern(INDEX_NAME)
    generations = sorted(int(m.group(1)) for name in storage if (m := pattern.match(name)))
    referenced: set[str] = set()
    for generation in generations[-2:]:
        toc = TOC.read(storage, INDEX_NAME, generation)
        referenced.update(segment.segment_id() for segment in toc.segments)
    return referenced


def collect_uncommitted_files(generation_dir: str | os.PathLike[str]) -> list[str]:
    """Delete the files in ``generation_dir`` that belong to no committed
    segment (and a run's scratch files); return their names. A folder whose
    tables of contents cannot be read is left alone."""
    folder = Path(generation_dir)
    if not folder.is_dir():
        return []
    storage = FileStorage(str(folder))
    lock = storage.lock(f"{INDEX_NAME}_WRITELOCK")
    if not lock.acquire(blocking=False):
        return []  # another writer is at work: its files are no leftovers (opening ours will say so)
    try:
        return _collect(folder, storage)
    finally:
        lock.release()


def _collect(folder: Path, storage: FileStorage) -> list[str]:
    try:
        referenced = _referenced_segments(storage)
    except Exception:  # Whoosh raises many kinds on a damaged table: leave the folder as it is
        return []
    segment_pattern = TOC._segment_pattern(INDEX_NAME)
    removed: list[str] = []
    for name in storage.list():
        found = segment_pattern.match(name)
        if found and found.group(1) not in referenced:
            (folder / name).unlink(missing_ok=True)
            removed.append(name)
    for path in (*folder.glob(NAMES_TEMPORARY_GLOB), *folder.glob(GROUPS_TEMPORARY_GLOB)):
        path.unlink(missing_ok=True)
        removed.append(path.name)
    if (folder / SCRATCH_FOLDER).is_dir():
        shutil.rmtree(folder / SCRATCH_FOLDER, ignore_errors=True)
        removed.append(SCRATCH_FOLDER)
    return removed
