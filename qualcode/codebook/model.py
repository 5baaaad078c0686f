"""Codebook data model: roles, codes (a tree) and autocode rules.

A :class:`Codebook` is what :func:`qualcode.codebook.load_codebook` returns: validated,
with every code's ``roles`` already resolved (inherited from the parent when the code
does not declare them; all roles when no ancestor declares them either).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.errors import CodebookError, CodingError, NotFoundError, UnknownRoleError

# What a valid codebook holds; the YAML loader and the parsed-codebook cache check the same.
CODE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$")
ROLE_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
COLOR_PATTERN = re.compile(r"^#[0-9A-Fa-f]{6}$")
MAX_CODE_DEPTH = 50  # every later walk over codes recurses; real codebooks stay under 10 levels
MAX_DISTANCE = 1000  # tokens: a rule's 'within' and 'exclude_within'
FUZZY_SCORES = (50, 100)  # the least and the most a fuzzy term's 'min_score' may be


@dataclass(frozen=True)
class Role:
    """A stakeholder role a transcript belongs to.

    ``label`` is what quote attributions print ("—Prosecutor"); ``aliases`` are other
    spellings accepted wherever a role is typed (``--role DA``).
    """

    key: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FuzzyTerm:
    """A term matched approximately (names transcribers misspell)."""

    term: str
    min_score: int = 85


@dataclass(frozen=True)
class NearPair:
    """Two lemma terms that must occur within ``within`` tokens of each other."""

    terms: tuple[str, str]
    within: int = 10


@dataclass(frozen=True)
class Rules:
    """Autocode rules of one code; see docs/codebook.md for the matching semantics.

    ``exclude_within`` is a token distance, or ``None`` to veto anywhere in the unit.
    """

    phrases: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()
    fuzzy: tuple[FuzzyTerm, ...] = ()
    near: tuple[NearPair, ...] = ()
    exclude: tuple[str, ...] = ()
    exclude_within: int | None = 10

    @property
    def is_empty(self) -> bool:
        """True when the code has nothing an autocoder could match."""
        return not (self.phrases or self.regex or self.fuzzy or self.near)


@dataclass(frozen=True)
class Code:
    """One code of the tree. ``roles`` is resolved (inherited, never empty)."""

    id: str
    name: str
    parent: str | None = None
    definition: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    roles: frozenset[str] = frozenset()
    color: str | None = None
    exclusive: bool = False
    codable: bool = True
    rules: Rules = field(default_factory=Rules)
    line: int = 0
    declared_roles: frozenset[str] | None = None  # as written; None = inherited


@dataclass
class Codebook:
    """A validated codebook: declared roles and codes in file order."""

    roles: dict[str, Role]
    codes: dict[str, Code]
    path: str | None = None
    text: str = ""
    title: str | None = None
    description: str | None = None
    hash: str = ""

    def __post_init__(self) -> None:
        if not self.hash:
            self.hash = text_hash(self.text)
        self._children: dict[str | None, list[str]] = {}
        for code in self.codes.values():
            self._children.setdefault(code.parent, []).append(code.id)
        self._ancestor_ids: dict[str, tuple[str, ...]] = {}  # filled as asked (autocode: per turn)

    # -- roles -------------------------------------------------------------------

    def resolve_role(self, text: str) -> str:
        """Return the role key for a key, label or alias (case-insensitive).

        Raises
        ------
        UnknownRoleError
            When nothing matches; the message lists the declared role keys.
        """
        wanted = text.strip().casefold()
        for role in self.roles.values():
            names = (role.key, role.label, *role.aliases)
            if any(wanted == name.casefold() for name in names):
                return role.key
        known = ", ".join(self.roles)
        raise UnknownRoleError(f"Unknown role '{text}'. Roles: {known}")

    def role_label(self, role: str) -> str:
        """The attribution label of a role key or alias."""
        return self.roles[self.resolve_role(role)].label

    # -- codes -------------------------------------------------------------------

    def get(self, code_id: str) -> Code:
        """Return a code by id; unknown ids raise NotFoundError with suggestions."""
        try:
            return self.codes[code_id]
        except KeyError:
            raise NotFoundError(unknown_code_message(code_id, self.codes), code=code_id) from None

    def __contains__(self, code_id: object) -> bool:
        return code_id in self.codes

    def __len__(self) -> int:
        return len(self.codes)

    def top_level(self) -> list[Code]:
        """Codes without a parent, in file order."""
        return [self.codes[i] for i in self._children.get(None, [])]

    def children(self, code_id: str) -> list[Code]:
        """Direct children of a code, in file order."""
        self.get(code_id)
        return [self.codes[i] for i in self._children.get(code_id, [])]

    def descendants(self, code_id: str) -> list[Code]:
        """All codes below ``code_id`` (depth first, file order), excluding itself."""
        found: list[Code] = []
        for child in self.children(code_id):
            found.append(child)
            found.extend(self.descendants(child.id))
        return found

    def ancestors(self, code_id: str) -> list[Code]:
        """Parent, grandparent, ... of a code (nearest first)."""
        chain: list[Code] = []
        parent = self.get(code_id).parent
        while parent is not None:
            chain.append(self.codes[parent])
            parent = self.codes[parent].parent
        return chain

    def ancestor_ids(self, code_id: str) -> tuple[str, ...]:
        """The ids of :meth:`ancestors`, worked out once per code (a codebook does not change)."""
        found = self._ancestor_ids.get(code_id)
        if found is None:
            found = self._ancestor_ids[code_id] = tuple(c.id for c in self.ancestors(code_id))
        return found

    def depth(self, code_id: str) -> int:
        """0 for top-level codes."""
        return len(self.ancestors(code_id))

    def codes_for(self, role: str) -> list[Code]:
        """Exactly the codes a coder may apply to a transcript of ``role``.

        ``role`` may be a key, label or alias. Grouping nodes (``codable: false``)
        are left out.
        """
        key = self.resolve_role(role)
        return [c for c in self.codes.values() if c.codable and key in c.roles]

    def check_applicable(self, code_id: str, role: str) -> None:
        """Refuse (CodingError) a code that may not be applied to ``role`` transcripts."""
        code = self.get(code_id)
        key = self.resolve_role(role)
        if not code.codable:
            raise CodingError(
                f"Code '{code_id}' is a grouping node (codable: false) and cannot be applied; "
                f"apply one of its children: {', '.join(c.id for c in self.children(code_id))}",
                code=code_id,
            )
        if key not in code.roles:
            allowed = ", ".join(r for r in self.roles if r in code.roles)
            raise CodingError(
                f"Code '{code_id}' does not apply to {key} transcripts; it applies to: {allowed}",
                code=code_id,
            )


def read_codebook_text(path: Path) -> str:
    """A codebook file's text; CodebookError if it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CodebookError(f"Codebook file not found: {path}", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(f"Cannot read codebook {path}: {exc}", file=str(path)) from None


def text_hash(text: str) -> str:
    """sha256 hex digest of a codebook's text (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def unknown_code_message(code_id: str, known: dict[str, Code] | list[str]) -> str:
    """ "Unknown code 'x'; did you mean 'y'?" with up to three suggestions."""
    close = difflib.get_close_matches(code_id, list(known), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"Unknown code '{code_id}'{hint} (the codebook has {len(known)} codes)"
