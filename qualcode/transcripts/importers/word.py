"""Word transcripts (.docx): paragraphs and tables in document order.

The package is opened with :mod:`zipfile` and its parts parsed with lxml, without
python-docx's object model: it is several times slower per run, inflates every
part (media included) on opening, and its ``Paragraph.text`` drops tracked
insertions. Sizes declared in the ZIP directory are checked before anything is
inflated (zipfile never inflates an entry past its declared size), so a zip bomb
is refused rather than expanded.

What is read: runs inside ``<w:ins>`` (tracked insertions are kept), not those
in ``<w:del>``/``<w:moveFrom>``; ``<w:br/>`` as a newline; text boxes (DrawingML,
skipping the VML fallback copy) after the paragraph that anchors them. Speaker
labels come from a bold run at the start of a paragraph (``DET. RAMOS: ...``),
from Heading-style paragraphs holding a name (NVivo), from Teams' ``Name   0:04``
header lines, from ``Name: text`` paragraphs, or from a table's speaker column
(Rev: ``Speaker | Time | Text``); see :mod:`.docx_lines`.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from pathlib import PurePath

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.encoding import OLE2_MAGIC, ZIP_MAGIC
from qualcode.transcripts.importers.docx_body import W_PSTYLE, style_kinds
from qualcode.transcripts.importers.docx_lines import document_lines, document_paragraphs
from qualcode.transcripts.importers.labels import (
    Line,
    assemble_turns,
    monologue,
    refuse_labels_with_speaker,
)
from qualcode.transcripts.model import ParsedTranscript

FORMAT = "docx"
SUFFIXES = (".docx",)
MAX_ENTRIES = 5000
MAX_XML_BYTES = 200 * 1024 * 1024  # total inflated size of the XML parts we may read
MAX_RATIO = 100  # inflated/compressed, checked for XML parts over RATIO_FLOOR
RATIO_FLOOR = 5 * 1024 * 1024
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "/officeDocument"
CORE_PROPERTIES = "/core-properties"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
DAMAGED = "open it in Word and save it again as .docx"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# "Strict Open XML" documents use other namespace names for the same vocabulary.
STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
# What zipfile raises on damaged packages besides BadZipFile: a bad header offset
# ("negative seek value", a ValueError), an entry claiming a newer ZIP version
# (NotImplementedError), a cut stream (EOFError, zlib.error), a packed struct cut short.
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, struct.error, EOFError, OSError, ValueError,
              NotImplementedError, RuntimeError)
ENCRYPTED_FLAG = 0x1
READABLE_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
TRANSITIONAL_NAMESPACE = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def sniff(data: bytes) -> bool:
    """True if the bytes start like a ZIP package."""
    return data.startswith(ZIP_MAGIC)


def parse(data: bytes, source: str, speaker: str | None = None) -> ParsedTranscript:
    """Parse a .docx transcript; with ``speaker``, an unlabelled document, one turn per paragraph."""
    package = open_package(data, source)
    with package:
        parts = _relationship_targets(package, "_rels/.rels", "", source)
        document_path = _main_part(package, parts, source)
        document = read_xml(package, document_path, source)
        styles = _style_kinds(package, document, document_path, source)
        title = _core_title(package, parts, source)
    lines = document_lines(document, styles)
    assembly = assemble_turns(lines)
    if speaker is not None:
        refuse_labels_with_speaker(assembly, source)
        turns = monologue(speaker, document_paragraphs(document, styles), source)
        return ParsedTranscript(turns, FORMAT, title or PurePath(source).stem or None)
    if not assembly.turns:
        raise TranscriptImportError(
            f"no speaker labels found in {len(lines)} paragraphs; start each turn with a label such as "
            "'Name: text' (the name may be bold), a heading holding the name, or use a Speaker | Time | Text table; "
            "or pass --speaker NAME to import it as one speaker's text (a turn per paragraph)",
            file=source or None,
        )
    title = title or _preamble_title(assembly.preamble) or PurePath(source).stem or None
    return ParsedTranscript(assembly.turns, FORMAT, title, {}, assembly.preamble_text, assembly.notes())


def open_package(data: bytes, source: str) -> zipfile.ZipFile:
    """Open the ZIP package after checking it is one and that it is not a zip bomb."""
    where = source or None
    if data.startswith(OLE2_MAGIC) and ENCRYPTED_STREAM in data:
        raise TranscriptImportError(
            "is password-protected (Word stores encrypted .docx files in an OLE2 container); "
            "remove the password in Word (File > Info > Protect Document) and save it again",
            file=where,
        )
    if data.startswith(OLE2_MAGIC):
        raise TranscriptImportError(
            "is a legacy Word 97-2003 .doc file renamed .docx; open it in Word or LibreOffice "
            "and save it as Word Document (.docx)",
            file=where,
        )
    if not sniff(data):
        raise TranscriptImportError(
            f"is not a .docx file (it does not start with the ZIP signature 'PK'); {DAMAGED}", file=where
        )
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as error:
        raise TranscriptImportError(
            f"is truncated or corrupt: the ZIP package cannot be read ({_one_line(error)}); {DAMAGED}", file=where
        ) from None
    _check_sizes(package.infolist(), where)
    _check_methods(package.infolist(), where)
    return package


def _check_methods(entries: list[zipfile.ZipInfo], where: str | None) -> None:
    """Refuse encrypted entries and compression methods Word never writes, before reading any."""
    for entry in entries:
        if not entry.filename.endswith((".xml", ".rels")):
            continue  # media and other parts are never read
        if entry.flag_bits & ENCRYPTED_FLAG:
            raise TranscriptImportError(
                f"has an encrypted part ({entry.filename}) in its ZIP package; Word does not write these, so the "
                f"file was altered or damaged; {DAMAGED}",
                file=where,
            )
        if entry.compress_type not in READABLE_METHODS:
            raise TranscriptImportError(
                f"part {entry.filename} uses ZIP compression method {entry.compress_type}; Word writes only "
                f"{' or '.join(f'{m} ({name})' for m, name in READABLE_METHODS.items())}; {DAMAGED}",
                file=where,
            )


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:120] or type(error).__name__


def _check_sizes(entries: list[zipfile.ZipInfo], where: str | None) -> None:
    if len(entries) > MAX_ENTRIES:
        raise TranscriptImportError(
            f"has {len(entries)} entries in its ZIP package, more than the {MAX_ENTRIES} allowed; "
            "this is not an ordinary Word document",
            file=where,
        )
    xml_parts = [entry for entry in entries if entry.filename.endswith((".xml", ".rels"))]
    total = sum(entry.file_size for entry in xml_parts)
    if total > MAX_XML_BYTES:
        raise TranscriptImportError(
            f"would inflate to {total // 2**20} MB of XML, more than the {MAX_XML_BYTES // 2**20} MB allowed "
            "(a zip bomb or a damaged file); split the transcript or save it again",
            file=where,
        )
    for entry in xml_parts:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise TranscriptImportError(
                f"part {entry.filename} would inflate {ratio:.0f} times ({entry.file_size // 2**20} MB), more than "
                f"the {MAX_RATIO}x allowed (a zip bomb); this is not an ordinary Word document",
                file=where,
            )


def read_xml(package: zipfile.ZipFile, name: str, source: str):
    """Inflate and parse one XML part, without DTDs, entities or network access."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, remove_pis=True
    )
    try:
        with package.open(name) as member:
            data = member.read(MAX_XML_BYTES + 1)
        if STRICT_NAMESPACE in data[:4096]:
            data = data.replace(STRICT_NAMESPACE, TRANSITIONAL_NAMESPACE)
        return etree.fromstring(data, parser)
    except KeyError:
        raise TranscriptImportError(
            f"is not a Word document: its package has no {name}; {DAMAGED}", file=source or None
        ) from None
    except ZIP_ERRORS as error:
        raise TranscriptImportError(
            f"is truncated or corrupt: {name} cannot be inflated ({_one_line(error)}); {DAMAGED}", file=source or None
        ) from None
    except etree.XMLSyntaxError as error:
        raise TranscriptImportError(
            f"is corrupt: {name} is not well-formed XML ({error}); {DAMAGED}", file=source or None
        ) from None


def _relationship_targets(package: zipfile.ZipFile, rels_path: str, base: str, source: str) -> dict[str, str]:
    """Map relationship type suffix (e.g. ``/officeDocument``) to part path."""
    if rels_path not in package.NameToInfo:
        return {}
    targets = {}
    for rel in read_xml(package, rels_path, source).iter(f"{{{REL_NS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        kind = rel.get("Type", "")
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        targets[kind[kind.rfind("/") :]] = path
    return targets


def _main_part(package: zipfile.ZipFile, parts: dict[str, str], source: str) -> str:
    path = parts.get(OFFICE_DOCUMENT, "word/document.xml")
    if path not in package.NameToInfo:
        raise TranscriptImportError(
            f"is not a Word document: its package has no {path} (is it a spreadsheet or presentation?); "
            "save the transcript from Word as .docx",
            file=source or None,
        )
    return path


def _style_kinds(package: zipfile.ZipFile, document, document_path: str, source: str) -> dict[str, str]:
    """Paragraph style id -> ``"title"`` or ``"heading"`` (built-in names, or an outline level).

    styles.xml is often several times larger than the document (python-docx's template
    holds 350 KB), so it is parsed only when some paragraph names a style.
    """
    if next(document.iter(W_PSTYLE), None) is None:
        return {}
    folder, name = posixpath.split(document_path)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    styles_path = _relationship_targets(package, rels, folder, source).get("/styles")
    if not styles_path or styles_path not in package.NameToInfo:
        return {}
    return style_kinds(read_xml(package, styles_path, source))


def _core_title(package: zipfile.ZipFile, parts: dict[str, str], source: str) -> str | None:
    path = parts.get(CORE_PROPERTIES)
    if not path or path not in package.NameToInfo:
        return None
    element = read_xml(package, path, source).find(DC_TITLE)
    title = " ".join((element.text or "").split()) if element is not None else ""
    return title or None


def _preamble_title(preamble: list[Line]) -> str | None:
    """A Title-style paragraph before the first turn, else the first heading there."""
    for wanted in ("title", "heading"):
        for line in preamble:
            if line.style == wanted and line.text.strip():
                return " ".join(line.text.split())
    return None
