"""Walk a WordprocessingML body in document order, yielding paragraphs and tables.

Works on plain lxml elements, one pass over each paragraph's children: runs give
their text (``w:t``, tabs, breaks), wrappers such as hyperlinks, fields and ``<w:ins>``
are entered, and deleted or moved-away text, paragraph properties and the VML
fallback copy of a text box are skipped. Plain child iteration is used rather than
``iter(tag, ...)``: lxml builds a tag matcher on every such call, which costs more
than walking the handful of elements in a typical paragraph.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


W_BODY, W_P, W_R, W_T, W_TBL, W_TR, W_TC = map(_w, ("body", "p", "r", "t", "tbl", "tr", "tc"))
W_TAB, W_PTAB, W_BR, W_CR, W_NO_BREAK_HYPHEN = map(_w, ("tab", "ptab", "br", "cr", "noBreakHyphen"))
W_DEL, W_MOVE_FROM, W_TXBX = map(_w, ("del", "moveFrom", "txbxContent"))
W_SDT, W_SDT_CONTENT, W_CUSTOM_XML, W_SMART_TAG = map(_w, ("sdt", "sdtContent", "customXml", "smartTag"))
W_PPR, W_PSTYLE, W_OUTLINE_LVL, W_RPR, W_B, W_VAL = map(_w, ("pPr", "pStyle", "outlineLvl", "rPr", "b", "val"))
W_STYLE, W_STYLE_ID, W_NAME, W_TYPE, W_BASED_ON = map(_w, ("style", "styleId", "name", "type", "basedOn"))
MC_ALTERNATE, MC_CHOICE, MC_FALLBACK = (f"{{{MC}}}{tag}" for tag in ("AlternateContent", "Choice", "Fallback"))
# Never entered: deleted or moved-away text, properties, the VML copy of a text box.
SKIPPED = frozenset((W_DEL, W_MOVE_FROM, MC_FALLBACK, W_PPR, W_RPR, W_TXBX))
RUN_TEXT = {W_TAB: "\t", W_PTAB: "\t", W_BR: "\n", W_CR: "\n", W_NO_BREAK_HYPHEN: "-"}
# Run children that may hold a text box.
RUN_OBJECTS = frozenset((_w("drawing"), _w("pict"), _w("object"), MC_ALTERNATE))
FALSE_VALUES = frozenset(("0", "false", "off", "none"))


@dataclass(slots=True)
class Paragraph:
    """A paragraph's text, its leading bold text, and ``"title"``/``"heading"`` if so styled."""

    text: str
    bold_prefix: str = ""
    style: str = ""


@dataclass
class Table:
    """Rows of cells; each cell holds the paragraphs inside it (nested tables flattened)."""

    rows: list[list[list[Paragraph]]] = field(default_factory=list)


def style_kinds(styles_root) -> dict[str, str]:
    """Paragraph style id -> ``"title"`` or ``"heading"``, following ``basedOn`` chains."""
    own: dict[str, str] = {}
    based_on: dict[str, str] = {}
    for style in styles_root.iter(W_STYLE):
        if style.get(W_TYPE) != "paragraph":
            continue
        style_id = style.get(W_STYLE_ID, "")
        name_element = _child(style, W_NAME)
        name = (name_element.get(W_VAL, "") if name_element is not None else "").casefold()
        properties = _child(style, W_PPR)
        if name == "title":
            own[style_id] = "title"
        elif name.startswith("heading") or (properties is not None and _child(properties, W_OUTLINE_LVL) is not None):
            own[style_id] = "heading"
        parent = _child(style, W_BASED_ON)
        if parent is not None:
            based_on[style_id] = parent.get(W_VAL, "")
    kinds = {}
    for style_id in set(own) | set(based_on):
        seen, current = set(), style_id
        while current and current not in own and current not in seen:
            seen.add(current)
            current = based_on.get(current, "")
        if current in own:
            kinds[style_id] = own[current]
    return kinds


class BodyReader:
    """Reads :class:`Paragraph` and :class:`Table` blocks from a document element, in order."""

    def __init__(self, styles: dict[str, str]) -> None:
        self.styles = styles

    def blocks(self, document) -> list[Paragraph | Table]:
        body = document if document.tag == W_BODY else _child(document, W_BODY)
        found: list[Paragraph | Table] = []
        if body is not None:
            self._container(body, found)
        return found

    def _container(self, container, found: list) -> None:
        for child in container:
            tag = child.tag
            if tag == W_P:
                self._paragraph(child, found)
            elif tag == W_TBL:
                found.append(self._table(child))
            elif tag == W_SDT:
                content = _child(child, W_SDT_CONTENT)
                if content is not None:
                    self._container(content, found)
            elif tag == W_CUSTOM_XML:
                self._container(child, found)
            elif tag == MC_ALTERNATE:
                choice = _child(child, MC_CHOICE)
                if choice is not None:
                    self._container(choice, found)

    def _paragraph(self, p, found: list) -> None:
        text, bold, properties, boxes = read_paragraph(p)
        found.append(Paragraph(text, bold, self._style_of(properties) if properties is not None else ""))
        for box in boxes:
            self._container(box, found)

    def _style_of(self, properties) -> str:
        """``"title"``/``"heading"`` from a paragraph's properties (style, or an outline level)."""
        style_id = outline = None
        for child in properties:
            if child.tag == W_PSTYLE:
                style_id = child.get(W_VAL, "")
            elif child.tag == W_OUTLINE_LVL:
                outline = child
        if style_id is not None:
            kind = self.styles.get(style_id)
            if kind is None and not self.styles:
                kind = _style_kind_from_id(style_id)
            if kind:
                return kind
        return "heading" if outline is not None else ""

    def _table(self, tbl) -> Table:
        table = Table()
        for row in _children(tbl, W_TR):
            cells = []
            for cell in _children(row, W_TC):
                blocks: list[Paragraph | Table] = []
                self._container(cell, blocks)
                cells.append([p for block in blocks for p in _flatten(block)])
            table.rows.append(cells)
        return table


def _child(element, tag: str):
    """The first direct child with ``tag`` (a loop: lxml's ``find`` is Python-level ElementPath)."""
    for child in element:
        if child.tag == tag:
            return child
    return None


def _style_kind_from_id(style_id: str) -> str:
    """Without styles.xml, recognise the English built-in ids (Title, Heading1...)."""
    lowered = style_id.casefold()
    if lowered == "title":
        return "title"
    return "heading" if lowered.startswith("heading") else ""


def _flatten(block: Paragraph | Table) -> list[Paragraph]:
    if isinstance(block, Paragraph):
        return [block]
    return [p for row in block.rows for cell in row for p in cell]


def _children(element, tag: str) -> Iterator:
    """Direct children with ``tag``, looking through content controls and custom XML."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in (W_SDT, W_CUSTOM_XML):
            inner = _child(child, W_SDT_CONTENT) if child.tag == W_SDT else child
            if inner is not None:
                yield from _children(inner, tag)


def read_paragraph(p) -> tuple[str, str, object, list]:
    """A paragraph's text, its leading bold (or blank) text, its ``w:pPr`` and its text boxes.

    The importer's hot path, hence one function with the run loop inlined and an
    explicit stack of child iterators for wrappers (hyperlinks, ``w:ins``, fields, ...).
    """
    parts: list[str] = []
    boxes: list = []
    properties = None
    bold_end = 0  # parts[:bold_end] is the leading bold text
    leading = True
    stack = [iter(p)]
    while stack:
        for child in stack[-1]:
            tag = child.tag
            if tag == W_R:
                before = len(parts)
                run_properties = None
                for item in child:
                    item_tag = item.tag
                    if item_tag == W_T:
                        parts.append(item.text or "")
                    elif item_tag == W_RPR:
                        run_properties = item
                    elif item_tag in RUN_TEXT:
                        parts.append(RUN_TEXT[item_tag])
                    elif item_tag in RUN_OBJECTS:
                        _find_boxes(item, boxes)
                if leading and len(parts) > before:
                    if _is_bold(run_properties) or not "".join(parts[before:]).strip():
                        bold_end = len(parts)
                    else:
                        leading = False
            elif tag == W_PPR:
                properties = child
            elif tag == MC_ALTERNATE:
                choice = _child(child, MC_CHOICE)
                if choice is not None:
                    stack.append(iter(choice))
                    break
            elif tag not in SKIPPED and isinstance(tag, str):
                stack.append(iter(child))  # hyperlink, ins, moveTo, smartTag, fldSimple, sdt, customXml...
                break
        else:
            stack.pop()
    return "".join(parts), "".join(parts[:bold_end]), properties, boxes


def _find_boxes(element, boxes: list) -> None:
    for child in element:
        tag = child.tag
        if tag == W_TXBX:
            boxes.append(child)
        elif tag != MC_FALLBACK and isinstance(tag, str):
            _find_boxes(child, boxes)


def _is_bold(properties) -> bool:
    if properties is not None:
        for child in properties:  # not .find(): lxml's find goes through Python-level ElementPath
            if child.tag == W_B:
                return child.get(W_VAL, "true").casefold() not in FALSE_VALUES
    return False
