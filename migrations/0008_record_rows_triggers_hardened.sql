-- 0008: the triggers 0007 put in place of the record_id foreign keys now
-- also cover what those foreign keys covered and the triggers missed.
--
-- 1. A DELETE of records in a REPEATABLE READ or SERIALIZABLE transaction
--    is refused. The cascade of 0007 deletes a record's rows with the
--    deleting transaction's snapshot; in those isolation levels that
--    snapshot is taken once, so rows another transaction committed for the
--    record after it was taken would survive the record (the foreign key
--    avoided this by checking with a fresh snapshot and failing with a
--    serialization error). Under READ COMMITTED each statement of the
--    cascade takes a fresh snapshot, and a writer of rows still holds its
--    KEY SHARE lock on the record until it ends, so nothing is missed.
--    Nothing in pedigreed deletes records; this is about hand-run SQL.
-- 2. TRUNCATE records empties these tables too (the foreign keys made
--    TRUNCATE records fail unless they were truncated with it). DELETE, not
--    TRUNCATE: a table listed in the same TRUNCATE is still in use by it.
--    Refused outside READ COMMITTED for the reason of 1 (TRUNCATE waits for
--    writers of rows, whose KEY SHARE locks conflict with it, but an older
--    snapshot would not see what they committed).
-- 3. The trigger functions look names up in the schema that holds records,
--    then pg_temp: a temporary table named like one of ours cannot stand in
--    for it (pg_catalog is searched first in any case).

CREATE FUNCTION pedigree_require_read_committed(action text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'records can be % only in a READ COMMITTED '
                    'transaction, not in a % one',
                    action, upper(current_setting('transaction_isolation'))
      USING ERRCODE = 'feature_not_supported',
            HINT = 'Removing a record removes its rows in other tables; '
                   'a snapshot older than the statement could miss some.',
            TABLE = 'records';
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION pedigree_delete_record_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pedigree_require_read_committed('deleted');
  DELETE FROM record_signatures t USING old_rows o WHERE t.record_id = o.id;
  DELETE FROM artifacts t USING old_rows o WHERE t.record_id = o.id;
  DELETE FROM datasets t USING old_rows o WHERE t.record_id = o.id;
  DELETE FROM openness_components t USING old_rows o WHERE t.record_id = o.id;
  DELETE FROM license_refs t USING old_rows o WHERE t.record_id = o.id;
  DELETE FROM record_judgments t USING old_rows o WHERE t.record_id = o.id;
  RETURN NULL;
END
$$;

CREATE FUNCTION pedigree_truncate_record_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pedigree_require_read_committed('truncated');
  DELETE FROM record_signatures;
  DELETE FROM artifacts;
  DELETE FROM datasets;
  DELETE FROM openness_components;
  DELETE FROM license_refs;
  DELETE FROM record_judgments;
  RETURN NULL;
END
$$;
CREATE TRIGGER records_truncate_their_rows
  AFTER TRUNCATE ON records
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_truncate_record_rows();

DO $$
DECLARE
  path text := format('%s, pg_temp',
                      (SELECT c.relnamespace::regnamespace::text
                         FROM pg_class c
                        WHERE c.oid = 'records'::regclass));
BEGIN
  EXECUTE format('ALTER FUNCTION pedigree_require_read_committed(text) '
                 'SET search_path = %s', path);
  EXECUTE format('ALTER FUNCTION pedigree_check_record_ids() '
                 'SET search_path = %s', path);
  EXECUTE format('ALTER FUNCTION pedigree_delete_record_rows() '
                 'SET search_path = %s', path);
  EXECUTE format('ALTER FUNCTION pedigree_truncate_record_rows() '
                 'SET search_path = %s', path);
END
$$;
