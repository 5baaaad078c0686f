from qualcode.tui.colors import PALETTE, code_color, palette_color


def test_codebook_color_then_ancestor_then_palette(project):
    codebook = project.codebook
    # small.yaml declares no colours: every code gets a stable palette colour.
    assert code_color(codebook, "referral.hotline") == palette_color("referral.hotline")
    assert code_color(codebook, "referral.hotline") in PALETTE
    assert code_color(codebook, "no.such.code") == palette_color("no.such.code")


def test_palette_colour_is_stable_and_spread():
    assert palette_color("goals") == palette_color("goals")
    assert len({palette_color(f"code{i}") for i in range(40)}) > len(PALETTE) // 2


def test_own_colour_and_inherited_colour(tmp_path):
    from qualcode.codebook import load_codebook

    path = tmp_path / "cb.yaml"
    path.write_text(
        "format: 1\nroles:\n  a: {label: A}\ncodes:\n"
        "  - id: p\n    name: P\n    color: '#123456'\n    children:\n      - {id: p.c, name: C}\n"
        "  - id: q\n    name: Q\n",
        encoding="utf-8",
    )
    codebook = load_codebook(path)
    assert code_color(codebook, "p") == "#123456"
    assert code_color(codebook, "p.c") == "#123456"
    assert code_color(codebook, "q") == palette_color("q")
