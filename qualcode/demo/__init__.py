"""The example study, end to end, as plain-Python steps (``qualcode demo`` prints them).

Each step takes the scratch project and returns a frozen result with ``to_dict()``;
the CLI's ``demo`` command only runs them in order and renders what they return.
The steps run as a study does (README, "The lead's workflow"):

1. :func:`prepare_demo_project` copies the example's inputs to a scratch folder and
   :func:`import_example_transcripts` imports the 34 transcripts;
2. :func:`autocode_step` codes every transcript with the codebook's keyword rules as
   the ``autocoder`` (a first pass, counted only when named) and evaluates the rules;
3. :func:`double_coding_step` draws the 10 % sample and loads the hand codings of
   alice and bob, then the lead closes it and agreement is measured;
4. :func:`design_step` records the design: alice and bob are the primary coders of the
   sample transcripts (each the second coder of the other's), so the analysis set counts
   people, and its coverage says the hand codings cover 4 of 34 transcripts;
5. :func:`tally_step`, :func:`quotes_step` and :func:`report_step` count, quote and
   report on that analysis set; :func:`exchange_step` and :func:`store_copy_step`
   show the REFI-QDA round trip and a verified copy of the store.
"""

from qualcode.demo.example import (
    COPIED,
    ImportStep,
    example_project_root,
    import_example_transcripts,
    is_example,
    prepare_demo_project,
)
from qualcode.demo.outputs import (
    QuoteOutcome,
    QuotesStep,
    ReportStep,
    TallyStep,
    exchange_step,
    quotes_step,
    report_step,
    store_copy_step,
    tally_step,
)
from qualcode.demo.study import (
    DEMO_CODERS,
    DEMO_FRACTION,
    DEMO_SAMPLE,
    DEMO_SEED,
    MACHINE_CODER,
    AutocodeStep,
    DesignStep,
    DoubleCodingStep,
    autocode_step,
    check_demo_codings,
    design_step,
    double_coding_step,
)

__all__ = [
    "COPIED", "DEMO_CODERS", "DEMO_FRACTION", "DEMO_SAMPLE", "DEMO_SEED", "MACHINE_CODER", "AutocodeStep",
    "DesignStep", "DoubleCodingStep", "ImportStep", "QuoteOutcome", "QuotesStep", "ReportStep", "TallyStep",
    "autocode_step", "check_demo_codings", "design_step", "double_coding_step", "example_project_root",
    "exchange_step", "import_example_transcripts", "is_example", "prepare_demo_project", "quotes_step",
    "report_step", "store_copy_step", "tally_step",
]
