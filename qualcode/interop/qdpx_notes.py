"""Memos on transcripts and codes, and finish marks, as REFI-QDA ``<Note>`` elements.

REFI-QDA has notes (memos) with ``<NoteRef>`` from the thing they are about; NVivo,
MAXQDA and OpenQDA export memos on documents and codes that way. So:

- a coder's memo on a transcript is a ``<Note>`` (``creatingUser`` = the coder) with a
  ``<NoteRef>`` from its ``<TextSource>``; a memo on a code, one from its ``<Code>``;
- finish marks have no REFI-QDA equivalent. They travel as one ``<Note>`` per coder
  and transcript, referenced from the ``<TextSource>``, whose ``<Description>`` is
  :data:`MARKS_TAG` and whose text lists the marks, one a line::

      done
      nothing to code: turn 4 [120:245]

  (the turn's span in code points of the exported text). That is valid REFI-QDA:
  another tool shows a harmless memo "qualcode finish marks (ana)"; qualcode reads the
  marks back (:func:`read_marks`) and stores them by :mod:`~qualcode.interop.travel`'s rules.

Importing works for any tool's file: a note on a source becomes the note author's memo
on that transcript, a note on a code their memo on the code (several notes of one
author on one target are joined with a blank line, as for codings).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from xml.etree import ElementTree

from qualcode.interop.codebook_io import ptag
from qualcode.interop.travel import DONE, NOTHING, Gathered, MarkItem, MemoItem
from qualcode.interop.xmlread import attr, children, guid_key, local

MARKS_TAG = "qualcode:finish-marks/1"
MARKS_NAME = "qualcode finish marks"
TURN_LINE = re.compile(r"^nothing to code: turn (\d{1,9}) \[(\d{1,12}):(\d{1,12})\]$")

# -- export ---------------------------------------------------------------------------------


@dataclass
class NotePlan:
    """The notes of one export: elements to write and the NoteRefs each source and code gets."""

    notes: list[ElementTree.Element] = field(default_factory=list)
    on_source: dict[str, list[str]] = field(default_factory=dict)  # transcript id -> note GUIDs
    on_code: dict[str, list[str]] = field(default_factory=dict)  # code id -> note GUIDs
    memos: int = 0
    marks: int = 0


def plan_notes(carried: Gathered, guid: Callable[..., str], user: Callable[[str], str]) -> NotePlan:
    """Notes for the carried memos and marks; ``guid(kind, *parts)`` makes stable GUIDs, ``user(coder)`` a user's."""
    plan = NotePlan()
    for memo in carried.memos:
        on = ("transcript", memo.transcript_id) if memo.transcript_id is not None else ("code", memo.code_id)
        note_guid = guid("memo-on", on[0], on[1], memo.coder)
        note = ElementTree.Element(ptag("Note"), guid=note_guid, name=f"Memo: {on[0]} {on[1]} ({memo.coder})",
                                   creatingUser=user(memo.coder))
        ElementTree.SubElement(note, ptag("PlainTextContent")).text = memo.text
        plan.notes.append(note)
        target = plan.on_source if on[0] == "transcript" else plan.on_code
        target.setdefault(str(on[1]), []).append(note_guid)
        plan.memos += 1
    by_owner: dict[tuple[str, str], list[MarkItem]] = {}
    for mark in carried.marks:
        by_owner.setdefault((mark.coder, mark.transcript_id), []).append(mark)
    for (coder, transcript_id), marks in sorted(by_owner.items()):
        note_guid = guid("finish-marks", transcript_id, coder)
        note = ElementTree.Element(ptag("Note"), guid=note_guid, name=f"{MARKS_NAME} ({coder})",
                                   creatingUser=user(coder))
        ElementTree.SubElement(note, ptag("Description")).text = MARKS_TAG
        ElementTree.SubElement(note, ptag("PlainTextContent")).text = "\n".join(_mark_line(m) for m in marks)
        plan.notes.append(note)
        plan.on_source.setdefault(transcript_id, []).append(note_guid)
        plan.marks += len(marks)
    return plan


def _mark_line(mark: MarkItem) -> str:
    if mark.kind == DONE:
        return "done"
    start, end = mark.span or (0, 0)
    return f"nothing to code: turn {mark.ordinal} [{start}:{end}]"


def add_code_refs(book: ElementTree.Element, on_code: dict[str, list[str]], code_guid: Callable[[str], str]) -> None:
    """Put each code's NoteRefs where the schema wants them: after its Description, before its child codes."""
    wanted = {code_guid(code_id): guids for code_id, guids in on_code.items()}
    for element in book.iter(ptag("Code")):
        guids = wanted.get(element.get("guid") or "")
        if not guids:
            continue
        position = next((i for i, c in enumerate(element) if c.tag == ptag("Code")), len(element))
        for offset, note_guid in enumerate(guids):
            element.insert(position + offset, ElementTree.Element(ptag("NoteRef"), targetGUID=note_guid))


# -- import ---------------------------------------------------------------------------------


@dataclass
class NoteReading:
    """What the notes of a file carry for qualcode, and what could not be read (one line each)."""

    memos: list[MemoItem] = field(default_factory=list)
    marks: list[MarkItem] = field(default_factory=list)
    used: set[str] = field(default_factory=set)  # note GUID keys taken
    skipped: list[str] = field(default_factory=list)


def read_notes(refi, sources: Iterable[tuple[object, str]], code_ids: dict[str, str],
               coder_of: Callable[[str], str]) -> NoteReading:
    """Memos and marks from the notes on ``sources`` ((RefiSource, transcript id) pairs) and on codes.

    ``code_ids`` maps a code GUID key to the code id; ``coder_of(user GUID key)`` names the coder.
    """
    reading = NoteReading()
    texts: dict[tuple[str, str | None, str | None], list[str]] = {}
    notes = refi.project.notes
    for source, transcript_id in sources:
        for key in getattr(source, "notes", []):
            note = notes.get(key)
            if note is None:
                continue
            reading.used.add(key)
            coder, text = coder_of(note.user), refi.note_text(note)
            if note.description.strip() == MARKS_TAG:
                reading.marks.extend(read_marks(text, coder, transcript_id, reading.skipped))
            else:
                texts.setdefault((coder, transcript_id, None), []).append(text)
    for code_key, note_keys in _code_note_refs(refi.project.codebook).items():
        code = code_ids.get(code_key)
        for key in note_keys:
            note = notes.get(key)
            if note is None or code is None:
                continue
            reading.used.add(key)
            texts.setdefault((coder_of(note.user), None, code), []).append(refi.note_text(note))
    for (coder, on_transcript, on_code), parts in texts.items():
        text = "\n\n".join(t for t in parts if t and t.strip())  # kept as written: the store cleans it
        if text:
            reading.memos.append(MemoItem(coder, on_transcript, on_code, text))
    return reading


def read_marks(text: str, coder: str, transcript_id: str, skipped: list[str]) -> list[MarkItem]:
    """The marks of one finish-marks note; a line that is not one is skipped with a reason."""
    marks = []
    for number, line in enumerate((line.strip() for line in text.splitlines()), start=1):
        if not line:
            continue
        if line == "done":
            marks.append(MarkItem(coder, transcript_id, DONE))
        elif found := TURN_LINE.match(line):
            ordinal, start, end = (int(g) for g in found.groups())
            marks.append(MarkItem(coder, transcript_id, NOTHING, ordinal, (start, end)))
        else:
            skipped.append(f"finish marks of {coder} on '{transcript_id}', line {number}: not a mark qualcode writes")
    return marks


def _code_note_refs(codebook) -> dict[str, list[str]]:
    """Code GUID key -> the GUID keys of its NoteRefs, over the whole code tree."""
    found: dict[str, list[str]] = {}
    if codebook is None:
        return found
    for element in codebook.iter():
        if local(element.tag) == "code":
            refs = [guid_key(attr(e, "targetGUID")) for e in children(element, "NoteRef")]
            if refs:
                found[guid_key(attr(element, "guid"))] = refs
    return found
