"""Generate a synthetic corpus of .docx interview transcripts for benchmarks.

    python benchmarks/corpus.py OUT_DIR [--files 200] [--words 8000] [--seed 7]

Deterministic from the seed (the ZIP entry timestamps are pinned too, so the bytes
repeat). Every fourth transcript is a Rev-style ``Speaker | Time | Text`` table; the
others are paragraphs opening with a bold speaker label, with occasional unlabelled
continuation paragraphs, soft line breaks and bracketed tags such as ``[crosstalk]``.
The text is random words: it is labelled synthetic and means nothing.
"""

from __future__ import annotations

import argparse
import io
import random
import zipfile
from pathlib import Path

FIXED_TIME = (2020, 1, 1, 0, 0, 0)
VOCABULARY_WORDS = """
the a and to of in that it we was for they on with as but so he she there this at be have had not
you what when who would could about from were our their them then just like really know think said
case cases victim victims survivor survivors task force detective officer officers prosecutor
prosecutors agency agencies shelter housing referral referrals hotline grant funding training
services service provider providers advocate advocates county state federal local police sheriff
court trial charges investigation investigations labor sex trafficking trafficker traffickers
interview interviews meeting meetings team teams partner partners coordinator community medical
clinic hospital legal aid immigration visa language interpreter trust relationship information
data protocol protocols policy policies process time year years month months week first second
always never sometimes often usually maybe probably especially mostly early later before after
people person family families worker workers employer restaurant farm hotel massage online
support safety plan needs need help helped work worked working call called calls report reported
"""
VOCABULARY = VOCABULARY_WORDS.split()
RESPONDENTS = ["DET. RAMOS", "SGT. CHEN", "PROSECUTOR KIM", "ADVOCATE SILVA", "MS. OKAFOR", "LT. BRANDT"]
TAGS = ["[crosstalk]", "[inaudible {time}]", "[laughs]", "[pause]", "[place]", "[name]"]


def sentence(rng: random.Random, question: bool = False) -> str:
    words = rng.choices(VOCABULARY, k=rng.randint(6, 18))
    text = " ".join(words)
    return text[0].upper() + text[1:] + ("?" if question else rng.choice(".....!"))


def speech(rng: random.Random, words: int, question: bool) -> str:
    sentences: list[str] = []
    count = 0
    while count < words:
        sentences.append(sentence(rng))
        count += len(sentences[-1].split())
    if question:
        sentences[-1] = sentence(rng, question=True)
    if rng.random() < 0.15:
        tag = rng.choice(TAGS).format(time=clock(rng.randint(0, 5400)))
        sentences.insert(rng.randrange(len(sentences) + 1), tag)
    return " ".join(sentences)


def clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def turns(rng: random.Random, total_words: int) -> list[tuple[str, str]]:
    """(speaker, text) pairs alternating interviewer and one respondent, about ``total_words`` long."""
    respondent = rng.choice(RESPONDENTS)
    result: list[tuple[str, str]] = []
    words = 0
    while words < total_words:
        asking = len(result) % 2 == 0
        text = speech(rng, rng.randint(8, 30) if asking else rng.randint(40, 160), question=asking)
        result.append(("INTERVIEWER" if asking else respondent, text))
        words += len(text.split())
    return result


def write_paragraphs(document, rng: random.Random, pairs: list[tuple[str, str]]) -> None:
    for speaker, text in pairs:
        pieces = [text]
        if len(text) > 400 and rng.random() < 0.3:  # a second, unlabelled paragraph continues the turn
            cut = text.index(". ", len(text) // 2) + 1 if ". " in text[len(text) // 2 :] else len(text)
            pieces = [text[:cut], text[cut:].strip()]
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{speaker}:").bold = True
        first = paragraph.add_run(f" {pieces[0]}")
        if rng.random() < 0.05:
            first.add_break()
            paragraph.add_run(sentence(rng))
        for piece in pieces[1:]:
            if piece:
                document.add_paragraph(piece)


def write_table(document, pairs: list[tuple[str, str]]) -> None:
    table = document.add_table(rows=1, cols=3)
    for cell, heading in zip(table.rows[0].cells, ("Speaker", "Time", "Text"), strict=True):
        cell.text = heading
    seconds = 0
    for speaker, text in pairs:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = speaker, clock(seconds), text
        seconds += max(2, len(text.split()) // 3)


def make_transcript(index: int, words: int, seed: int) -> bytes:
    """One synthetic transcript as .docx bytes."""
    import docx

    rng = random.Random(f"{seed}:{index}")
    document = docx.Document()
    document.core_properties.title = f"Synthetic interview {index:04d}"
    document.add_paragraph(f"Synthetic interview {index:04d} - generated for benchmarks, not real data")
    pairs = turns(rng, words)
    if index % 4 == 3:
        write_table(document, pairs)
    else:
        write_paragraphs(document, rng, pairs)
    buffer = io.BytesIO()
    document.save(buffer)
    return pin_zip(buffer.getvalue())


def pin_zip(data: bytes) -> bytes:
    """Rewrite a ZIP with fixed entry timestamps so equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            pinned = zipfile.ZipInfo(info.filename, FIXED_TIME)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(pinned, source.read(info.filename))
    return out.getvalue()


def generate(out_dir: Path, files: int = 200, words: int = 8000, seed: int = 7) -> list[Path]:
    """Write ``files`` transcripts of about ``words`` words each into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(files):
        path = out_dir / f"interview-{index:04d}.docx"
        path.write_bytes(make_transcript(index, words, seed))
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--words", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    paths = generate(args.out_dir, args.files, args.words, args.seed)
    print(f"wrote {len(paths)} transcripts to {args.out_dir}")


if __name__ == "__main__":
    main()
