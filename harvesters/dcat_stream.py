"""DCAT catalogs published as one big file, read from disk as a stream instead of as one page in memory.

Some departments publish their whole catalog as a single file of hundreds of megabytes; parsed and
indexed as a page (:class:`harvesters.dcat.Page`) it would take several times its size in memory.
The fetcher spools such a file to disk (:meth:`harvesters.http.SafeFetcher.get`, ``spool_after``)
and this module reads it in two passes, holding only what is still needed:

1. **parse**: pyoxigraph parses the file as a stream into N-Triples lines written to a second
   temporary file (so blank-node labels are fixed from here on), in a process of its own
   (:mod:`harvesters.ntriples_writer`), while the job's process reads the lines as they come and
   notes for each node — by a 64-bit hash of its N-Triples text — the last line that says
   something *of* it (as subject, or a service saying it serves the dataset) and the last line that
   *points to* it.  No record can be cut before this pass ends (only then is it known that no later
   line speaks of a node), so it uses both cores.
2. **cut**: the lines are read again into a window indexed as a page is; every few thousand lines,
   each dataset seen whose record (the nodes :meth:`Page.record` would take) has no statement left
   further down is cut and handed on, and the nodes no later line speaks of or points to, and no
   waiting dataset reaches, leave the window.

Serializers write a dataset's statements near each other (subject by subject, blank nodes nested
in place), so the window stays small whatever the file's size: memory holds the node marks (about
a hundred bytes a node) and a few thousand lines.  A file that scatters each dataset's statements
across its whole length is still read correctly; its window then grows as a page would.  The record
of a dataset is the same text :meth:`Page.record` cuts, so mapping, digests and provenance do not
tell a big file from a page.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator

from harvesters.base import JobFailure
from harvesters.contexts import inline_known_contexts
from harvesters.ntriples_writer import write_ntriples

CHECK_EVERY = 20_000           # lines read between two looks for finished records (at least)
MARK_SHIFT = _SHIFT = 1 << 36   # a mark packs (last line of a node's own statements, last line pointing to it)
HEAD = 1 << 20                 # where a big file's prolog (XML) or top-level context (JSON-LD) is looked for
_SERVES_DATASET_BYTES = b"<http://www.w3.org/ns/dcat#servesDataset>"
_CONTEXT = re.compile(rb'"@context"\s*:\s*("(?:[^"\\]|\\.)*"|\[[^\]]*\])')


class StreamedCatalog:
    """A catalog file on disk, cut into dataset records as a stream; see the module's docstring.

    :meth:`records` yields ``(dataset, record)``: the dataset's N-Triples term and its record as
    N-Triples text (``None`` for a dataset that is a blank node).  :attr:`paging` says where the
    next page is once the stream has been read.
    """

    def __init__(self, path: str, fmt: str, url: str):
        from harvesters.dcat import OX_FORMATS, Paging   # the page's own helpers: one definition of a record

        self.url, self.paging = url, Paging(url)
        self._source, self._fmt = path, fmt
        if fmt not in OX_FORMATS:
            raise JobFailure("gather", f"{url[:200]}: {fmt} is not an RDF format govcat reads")
        self._lines_path: str | None = None
        self._marks: dict[int, int] = {}
        self._head: bytes | None = None      # a replaced start of the file (a JSON-LD context put inline)
        with open(path, "rb") as file:
            head = file.read(HEAD)
        if fmt == "xml":
            from harvesters.dcat import _prolog_end
            if b"<!ENTITY" in head[:_prolog_end(head)]:
                raise JobFailure("gather", f"{url[:200]} declares XML entities; they are not accepted")
        elif fmt == "json-ld":
            self._head = _inline_top_context(head, url)

    # -- pass 1 ------------------------------------------------------------------------------------
    def _parse(self) -> None:
        """Parse the file into N-Triples lines on disk (in a process of its own, when this one may have
        children) while marking each node from the lines as they are written."""
        handle, self._lines_path = tempfile.mkstemp(prefix="govcat-harvest-", suffix=".nt")
        os.close(handle)
        args = (self._source, self._fmt, self.url, self._lines_path, self._head, HEAD)
        if multiprocessing.current_process().daemon:        # a queue consumer's worker: no children
            self._fail_on(write_ntriples(*args))
            self._mark(None)
            return
        receiving, sending = multiprocessing.Pipe(duplex=False)
        writer = multiprocessing.get_context("spawn").Process(target=write_ntriples, args=(*args, sending),
                                                              daemon=True)
        writer.start()
        sending.close()
        try:
            self._mark(writer)
            writer.join()
            error = receiving.recv() if receiving.poll() else f"the parser stopped (exit code {writer.exitcode})"
        except EOFError:
            error = f"the parser stopped (exit code {writer.exitcode})"
        finally:
            if writer.is_alive():
                writer.terminate()
                writer.join()
            receiving.close()
        self._fail_on(error)

    def _fail_on(self, error: str | None) -> None:
        if error is None:
            return
        if "LoadDocumentCallback" in error:
            raise JobFailure("gather", f"{self.url[:200]}: a remote JSON-LD context is not fetched; "
                                       "inline it (govcat ships the DCAT-AP 3 and DCAT-US 3 contexts)")
        raise JobFailure("gather", f"{self.url[:200]} is not well-formed: {error[:500]}")

    def _mark(self, writer) -> None:
        """Note each node's last line (as subject or a service's dataset) and last line pointing to it,
        reading the N-Triples lines as the writer writes them (``None``: already written)."""
        marks, shift, serves = self._marks, _SHIFT, _SERVES_DATASET_BYTES
        number, rest = 0, b""
        with open(self._lines_path, "rb") as lines:
            while True:
                done = writer is None or not writer.is_alive()
                chunk = lines.read(1 << 20)
                if not chunk:
                    if done:
                        break
                    time.sleep(0.005)
                    continue
                block = (rest + chunk).split(b"\n")
                rest = block.pop()
                for line in block:
                    number += 1
                    cut = line.index(b" ")
                    key = hash(line[:cut].decode())
                    mark = marks.get(key, 0)
                    marks[key] = number * shift + mark % shift
                    end = line.rfind(b" ", 0, len(line) - 2)
                    obj = line[end + 1:-2]
                    if obj[:1] in b"<_" and obj[-1:] != b'"':
                        key = hash(obj.decode())
                        mark = marks.get(key, 0)
                        if line[cut + 1:end] == serves:      # a service of the dataset is part of its record
                            marks[key] = number * shift + number
                        else:
                            marks[key] = mark - mark % shift + number

    # -- pass 2 ------------------------------------------------------------------------------------
    def records(self) -> Iterator[tuple[str, str | None]]:
        from harvesters.dcat import IS_DATASET, NOT_OWNED, PAGING_PREDICATES, SERVES_DATASET

        self._parse()
        window = _Window()
        by_subject, links, services, not_owned = window.by_subject, window.links, window.services, window._not_owned
        pending: dict[str, int] = {}        # datasets seen and not yet cut, in order of appearance → when to look again
        done: set[str] = set()
        paging, marks, shift = self.paging, self._marks, _SHIFT
        checkpoint, evict_at = CHECK_EVERY, CHECK_EVERY // 4
        number = 0
        with open(self._lines_path, encoding="utf-8", buffering=1 << 20) as lines:
            for number, line in enumerate(lines, start=1):
                line = line[:-3]
                subject, rest = line.split(" ", 1)
                by_subject[subject].append(line)
                if rest in NOT_OWNED:
                    not_owned.add(subject)
                    if rest == IS_DATASET and subject not in done and subject not in pending:
                        pending[subject] = marks.get(hash(subject), 0) // shift    # its own statements first
                    continue
                predicate, obj = rest.split(" ", 1)
                if obj[0] != '"':
                    links[subject].append(obj)
                if predicate == SERVES_DATASET:
                    services[obj].append(subject)
                elif predicate in PAGING_PREDICATES:
                    paging.read(subject, rest, predicate, obj)
                if number >= checkpoint:
                    yield from self._cut(window, pending, done, number)
                    checkpoint = number + CHECK_EVERY
                    if len(by_subject) >= evict_at:
                        self._evict(window, pending, number)
                        # A window that does not shrink (a scattered file) is swept less often: linear in all.
                        evict_at = max(2 * len(by_subject), CHECK_EVERY // 4)
        yield from self._cut(window, pending, done, None)

    def _cut(self, window: "_Window", pending: dict, done: set, position: int | None):
        """Yield the records of the pending datasets that are whole at ``position`` (all, at the end)."""
        marks = self._marks
        finished = []
        for dataset, look_again in pending.items():
            if position is None or look_again <= position:
                record = window.cut(dataset, marks, position)
                if isinstance(record, int):
                    pending[dataset] = record
                else:
                    finished.append((dataset, record))
        for dataset, record in finished:
            del pending[dataset]
            done.add(dataset)
            window.services.pop(dataset, None)
            yield dataset, record if dataset.startswith("<") else None

    def _evict(self, window: "_Window", pending: dict, position: int) -> None:
        """Let go of the lines no later line can make part of a record.  Kept: what a later line may still
        add to or point to, what waits to be cut, and all they reach."""
        marks, by_subject, not_owned, shift = self._marks, window.by_subject, window._not_owned, _SHIFT
        roots = []
        for node in by_subject:
            mark = marks.get(hash(node), 0)
            if node in pending or mark // shift > position or (mark % shift > position and node not in not_owned):
                roots.append(node)
        for dataset in pending:          # the services that say they serve it are part of its record
            roots += window.services.get(dataset, ())
        kept = window.reachable(roots)
        for node in [n for n in by_subject if n not in kept]:
            del by_subject[node]
            window.links.pop(node, None)

    def close(self) -> None:
        self._marks = {}
        if self._lines_path:
            try:
                os.unlink(self._lines_path)
            except FileNotFoundError:
                pass
            self._lines_path = None


class _Window:
    """The part of the file still needed, indexed as :class:`harvesters.dcat.Page` indexes a page."""

    def __init__(self):
        self.by_subject: dict[str, list[str]] = defaultdict(list)
        self.services: dict[str, list[str]] = defaultdict(list)
        self.links: dict[str, list[str]] = defaultdict(list)
        self._not_owned: set[str] = set()

    def cut(self, dataset: str, marks: dict, position: int | None) -> str | int:
        """The dataset's record (the text :meth:`harvesters.dcat.Page.record` cuts) when no line after
        ``position`` says anything of the nodes it takes (``None``: the end); else the last line of one
        that is not whole yet, before which there is no use looking again."""
        from harvesters.dcat import cut_record      # the page's own cut, told where the window ends

        return cut_record(self, dataset, marks, position)

    def reachable(self, roots: list[str]) -> set[str]:
        """The roots and every node of the window they reach (never through a dataset or a catalog)."""
        seen, todo = set(roots), list(roots)
        by_subject, links, not_owned = self.by_subject, self.links, self._not_owned
        while todo:
            for obj in links.get(todo.pop(), ()):
                if obj not in seen and obj in by_subject and obj not in not_owned:
                    seen.add(obj)
                    todo.append(obj)
        return seen


def _inline_top_context(head: bytes, url: str) -> bytes | None:
    """The start of a big JSON-LD file with its first ``@context`` address(es) replaced by the shipped
    context (``None`` when there is nothing to replace); :class:`JobFailure` for an unknown address."""
    match = _CONTEXT.search(head)
    if match is None:
        return None
    try:
        value = json.loads(match.group(1))
    except ValueError:
        return None                   # not a plain address or list: the parser says what is wrong
    inlined, unknown, _replaced = inline_known_contexts({"@context": value})
    if unknown:
        raise JobFailure("gather", f"{url[:200]}: the remote JSON-LD context {unknown[0][:200]} is not fetched; "
                                   "inline it (govcat ships the DCAT-AP 3 and DCAT-US 3 contexts)")
    text = json.dumps(inlined["@context"], ensure_ascii=False).encode("utf-8")
    return head[:match.start(1)] + text + head[match.end(1):]
