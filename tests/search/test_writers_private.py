"""Search working files hold raw transcript text: they are created private (0600)."""

from __future__ import annotations

import os
import stat

import pytest

from qualcode.search.writers import PASSAGE_COLUMNS, write_rows


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX-only")
@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".docx"])
def test_working_files_are_private(tmp_path, suffix):
    old = os.umask(0o022)
    try:
        path = write_rows(tmp_path / "out" / f"hits{suffix}", [{"transcript": "t", "segment": 2, "text": "words"}],
                          PASSAGE_COLUMNS, "hits")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
