"""The PostgreSQL count trigger of schema versions 15-18, as those versions installed it:
one BEFORE row trigger on codings (``qualcode_count_codings``). Kept here, verbatim, so
test_migrations can make a store as it was before migration 19 and upgrade it; the
code no longer installs it."""

from __future__ import annotations

ROW_BODY = r"""
DECLARE
  deferred boolean;
BEGIN
  -- A bulk write counting these keys itself (counts_deferred: only the lead's role
  -- writes it, and its rows are the writing transaction's own).
  deferred := CASE TG_OP WHEN 'INSERT' THEN EXISTS (SELECT 1 FROM counts_deferred WHERE coder = NEW.coder AND transcript_id = NEW.transcript_id)
                         WHEN 'DELETE' THEN EXISTS (SELECT 1 FROM counts_deferred WHERE coder = OLD.coder AND transcript_id = OLD.transcript_id)
                         ELSE EXISTS (SELECT 1 FROM counts_deferred WHERE coder = OLD.coder AND transcript_id = OLD.transcript_id) AND EXISTS (SELECT 1 FROM counts_deferred WHERE coder = NEW.coder AND transcript_id = NEW.transcript_id) END;
  IF deferred THEN
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP <> 'INSERT' AND OLD.segment_id IS NOT NULL AND (TG_OP = 'DELETE'
     OR (OLD.coder, OLD.code_id, OLD.transcript_id, OLD.segment_id)
        IS DISTINCT FROM (NEW.coder, NEW.code_id, NEW.transcript_id, NEW.segment_id)) THEN
    UPDATE coder_turns SET codings = codings - 1
      WHERE coder = OLD.coder AND transcript_id = OLD.transcript_id AND segment_id = OLD.segment_id;
    DELETE FROM coder_turns
      WHERE coder = OLD.coder AND transcript_id = OLD.transcript_id AND segment_id = OLD.segment_id AND codings <= 0;
    IF NOT EXISTS (SELECT 1 FROM codings WHERE coder = OLD.coder AND code_id = OLD.code_id
                   AND transcript_id = OLD.transcript_id AND segment_id = OLD.segment_id AND id <> OLD.id) THEN
      UPDATE code_turns SET turns = turns - 1
        WHERE coder = OLD.coder AND code_id = OLD.code_id AND transcript_id = OLD.transcript_id;
      DELETE FROM code_turns
        WHERE coder = OLD.coder AND code_id = OLD.code_id AND transcript_id = OLD.transcript_id AND turns <= 0;
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.segment_id IS NOT NULL AND (TG_OP = 'INSERT'
     OR (OLD.coder, OLD.code_id, OLD.transcript_id, OLD.segment_id)
        IS DISTINCT FROM (NEW.coder, NEW.code_id, NEW.transcript_id, NEW.segment_id)) THEN
    INSERT INTO coder_turns AS t (coder, transcript_id, segment_id, is_interviewer, codings)
      VALUES (NEW.coder, NEW.transcript_id, NEW.segment_id,
              coalesce((SELECT is_interviewer FROM segments WHERE id = NEW.segment_id), false), 1)
      ON CONFLICT (coder, transcript_id, segment_id) DO UPDATE SET codings = t.codings + 1;
    IF NOT EXISTS (SELECT 1 FROM codings WHERE coder = NEW.coder AND code_id = NEW.code_id
                   AND transcript_id = NEW.transcript_id AND segment_id = NEW.segment_id AND id <> NEW.id) THEN
      INSERT INTO code_turns AS t (coder, code_id, transcript_id, turns)
        VALUES (NEW.coder, NEW.code_id, NEW.transcript_id, 1)
        ON CONFLICT (coder, code_id, transcript_id) DO UPDATE SET turns = t.turns + 1;
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
"""


def row_trigger_statements(schema: str) -> list[str]:
    """The function and its row trigger, in ``schema`` (as migrations 15 and 18 ran them)."""
    q = '"' + schema.replace('"', '""') + '"'
    function = f"{q}.qualcode_count_codings"
    return [
        (f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
         f"SET search_path = {q}, pg_temp AS $qualcode${ROW_BODY}$qualcode$"),
        f"REVOKE ALL ON FUNCTION {function}() FROM PUBLIC",
        f"DROP TRIGGER IF EXISTS qualcode_count_codings ON {q}.codings",
        (f"CREATE TRIGGER qualcode_count_codings BEFORE INSERT OR UPDATE OR DELETE ON {q}.codings "
         f"FOR EACH ROW EXECUTE FUNCTION {function}()"),
    ]
