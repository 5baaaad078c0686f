"""Search and queries: find passages by word, ask the coded corpus questions.

- ``index.py``: the self-refreshing lemma index (one ordinary table, both back ends);
- ``patterns.py``, ``matching.py``: reading a PATTERN and finding it (lemma, phrase,
  fuzzy, NEAR/n; regex scans the text);
- ``filters.py``: role, site, attribute, transcript and code filters;
- ``engine.py``: ``search`` (KWIC hits, counts by role and site);
- ``tagging.py``: coding every hit as one undoable action;
- ``query.py``: boolean coding queries (AND, OR, NOT, NEAR/n over codes and text);
- ``matrix.py``: code matrices whose cells open to their passages;
- ``saved.py``: saved queries; ``writers.py``: CSV, XLSX and DOCX output.

Pure logic: no typer, rich or Textual here.
"""
