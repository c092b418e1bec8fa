-- 0010: a record's openness components are one row, not one row each.
--
-- A record declares up to seventeen components of the Model Openness
-- Framework (most declare all), so openness_components took up to seventeen
-- rows and primary key entries per publish, two thirds of the rows a
-- typical publish wrote. Read by nothing in pedigreed (the record's envelope
-- is the source of truth), the table is kept for SQL readers as a view of
-- the same name and columns over record_openness: one row per record with a
-- component's name, status, license and location at the same position of
-- four arrays, in the order the record lists them (rows moved here from the
-- old table are in component-name order: it kept none). Measured under
-- publish load (bench/run_registry_bench.sh, 4 runs each): PostgreSQL's CPU
-- per publish fell from 378-436 to 314-409 us.
--
-- Of what the old table's constraints held, the checks below keep: names
-- and statuses are present (not NULL) and of the 0006 format, except that
-- no bound on each one's length is checked (64 was), and one component name
-- appearing twice in a record is not refused here (the old primary key
-- refused it). Both would need a query per row; pedigreed writes only the
-- seventeen fixed component and three status names, each component at most
-- once (core/record validates it). The record_id is checked per statement
-- by the trigger of 0007, and deleting or truncating records removes the
-- row (0008's functions, which named the old table, are replaced and pinned
-- to this schema again). The old table's writers keep working: the view
-- takes inserts (see below).

-- What this creates goes where records is, whatever the search path says
-- (a schema made first in it after 0001, say); the path is put back at the
-- end, for the rest of the migrator's transaction.
SELECT pg_catalog.set_config('pedigree.search_path_before_0010',
                             pg_catalog.current_setting('search_path'), true);
SELECT pg_catalog.set_config(
         'search_path',
         (SELECT c.relnamespace::regnamespace::text
            FROM pg_catalog.pg_class c
           WHERE c.oid = 'records'::regclass) || ', pg_temp',
         true);

-- Publishes of a pedigreed of the previous version (another replica, during
-- a rolling update) wait until this commits, so that none commits rows into
-- the old table after they were copied: each inserts its records row first,
-- which this mode refuses, and one that already did holds a lock this waits
-- for. Reads and FOR KEY SHARE locks of records go on. After this commits,
-- their rows go through the view below.
LOCK TABLE records IN SHARE ROW EXCLUSIVE MODE;
LOCK TABLE openness_components IN ACCESS EXCLUSIVE MODE;

CREATE TABLE record_openness (
  record_id  bigint PRIMARY KEY,
  components text[] NOT NULL,
  statuses   text[] NOT NULL,
  licenses   text[] NOT NULL,  -- NULL elements: no license declared
  locations  text[] NOT NULL,  -- NULL elements: no location declared
  CONSTRAINT record_openness_shape
    CHECK (cardinality(components) > 0
           AND array_ndims(components) = 1 AND array_ndims(statuses) = 1
           AND array_ndims(licenses) = 1 AND array_ndims(locations) = 1
           AND cardinality(statuses) = cardinality(components)
           AND cardinality(licenses) = cardinality(components)
           AND cardinality(locations) = cardinality(components)
           AND array_position(components, NULL) IS NULL
           AND array_position(statuses, NULL) IS NULL),
  -- Every element a name as 0006 checks one, but for its length: joined by
  -- ',', the elements are names joined by ',', and the joined text has
  -- exactly one ',' fewer than there are elements (none is inside one).
  -- Built-in functions only: a per-element check needs a function that
  -- runs a query for each row, which cost more than the old table's rows.
  CONSTRAINT record_openness_component_format
    CHECK (array_to_string(components, ',')
             ~ '^[a-z][a-z0-9_-]*(,[a-z][a-z0-9_-]*)*$'
           AND length(array_to_string(components, ','))
                 - length(replace(array_to_string(components, ','), ',', ''))
               = cardinality(components) - 1),
  CONSTRAINT record_openness_status_format
    CHECK (array_to_string(statuses, ',')
             ~ '^[a-z][a-z0-9_-]*(,[a-z][a-z0-9_-]*)*$'
           AND length(array_to_string(statuses, ','))
                 - length(replace(array_to_string(statuses, ','), ',', ''))
               = cardinality(statuses) - 1)
);

INSERT INTO record_openness (record_id, components, statuses, licenses,
                             locations)
SELECT record_id,
       array_agg(component ORDER BY component COLLATE "C"),
       array_agg(status ORDER BY component COLLATE "C"),
       array_agg(license ORDER BY component COLLATE "C"),
       array_agg(location ORDER BY component COLLATE "C")
  FROM openness_components
 GROUP BY record_id;

DROP TABLE openness_components;

CREATE VIEW openness_components AS
SELECT o.record_id, c.component, c.status, c.license, c.location
  FROM record_openness o,
       unnest(o.components, o.statuses, o.licenses, o.locations)
         AS c(component, status, license, location);

-- A pedigreed of the previous version (still running during a rolling
-- update) inserts a row per component into openness_components: each is
-- appended to its record's row.
CREATE FUNCTION pedigree_insert_openness_component() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO record_openness AS o
         (record_id, components, statuses, licenses, locations)
  VALUES (NEW.record_id, ARRAY[NEW.component], ARRAY[NEW.status],
          ARRAY[NEW.license], ARRAY[NEW.location])
  ON CONFLICT (record_id) DO UPDATE
     SET components = o.components || excluded.components,
         statuses = o.statuses || excluded.statuses,
         licenses = o.licenses || excluded.licenses,
         locations = o.locations || excluded.locations;
  RETURN NEW;
END
$$;
CREATE TRIGGER openness_components_insert
  INSTEAD OF INSERT ON openness_components
  FOR EACH ROW EXECUTE FUNCTION pedigree_insert_openness_component();

-- 0007's check of record ids, again where records is, and every table's
-- trigger made to call it: 0007 created it in whatever schema came first in
-- the search path then.
CREATE OR REPLACE FUNCTION pedigree_check_record_ids() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  wanted bigint[];
  locked bigint;
  missing bigint;
BEGIN
  wanted := ARRAY(SELECT DISTINCT record_id FROM new_rows);
  PERFORM 1 FROM records r WHERE r.id = ANY (wanted) FOR KEY SHARE OF r;
  GET DIAGNOSTICS locked = ROW_COUNT;
  IF locked < cardinality(wanted) THEN
    SELECT w INTO missing FROM unnest(wanted) AS w
      WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.id = w)
      ORDER BY w LIMIT 1;
    RAISE EXCEPTION
      'insert or update on table "%" violates foreign key constraint "%"',
      TG_TABLE_NAME, TG_TABLE_NAME || '_record_id_fkey'
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = format('Key (record_id)=(%s) is not present in table '
                            '"records".', missing),
            TABLE = TG_TABLE_NAME,
            CONSTRAINT = TG_TABLE_NAME || '_record_id_fkey';
  END IF;
  RETURN NULL;
END
$$;
DROP TRIGGER record_signatures_record_ids_inserted ON record_signatures;
DROP TRIGGER record_signatures_record_ids_updated ON record_signatures;
DROP TRIGGER artifacts_record_ids_inserted ON artifacts;
DROP TRIGGER artifacts_record_ids_updated ON artifacts;
DROP TRIGGER datasets_record_ids_inserted ON datasets;
DROP TRIGGER datasets_record_ids_updated ON datasets;
DROP TRIGGER license_refs_record_ids_inserted ON license_refs;
DROP TRIGGER license_refs_record_ids_updated ON license_refs;
DROP TRIGGER record_judgments_record_ids_inserted ON record_judgments;
DROP TRIGGER record_judgments_record_ids_updated ON record_judgments;
CREATE TRIGGER record_signatures_record_ids_inserted
  AFTER INSERT ON record_signatures REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_check_record_ids();
CREATE TRIGGER record_signatures_record_ids_updated
  AFTER UPDATE ON record_signatures REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_check_record_ids();
CREATE TRIGGER artifacts_record_ids_inserted
  AFTER INSERT ON artifacts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_check_record_ids();
CREATE TRIGGER artifacts_record_ids_updated
  AFTER UPDATE ON artifacts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_check_record_ids();
CREATE TRIGGER datasets_record_ids_inserted
  AFTER INSERT ON datasets REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_check_record_ids();
CREATE TRIGGER datasets_record_ids_updated
  AFTER UPDATE ON datasets REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_check_record_ids();
CREATE TRIGGER license_refs_record_ids_inserted
  AFTER INSERT ON license_refs REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_check_record_ids();
CREATE TRIGGER license_refs_record_ids_updated
  AFTER UPDATE ON license_refs REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_check_record_ids();
CREATE TRIGGER record_judgments_record_ids_inserted
  AFTER INSERT ON record_judgments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_check_record_ids();
CREATE TRIGGER record_judgments_record_ids_updated
  AFTER UPDATE ON record_judgments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_check_record_ids();
CREATE TRIGGER record_openness_record_ids_inserted
  AFTER INSERT ON record_openness REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_check_record_ids();
CREATE TRIGGER record_openness_record_ids_updated
  AFTER UPDATE ON record_openness REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_check_record_ids();

-- The functions that remove a record's rows, again, naming record_openness.
-- They are created (or replaced) where records is, with the function they
-- call, and records' triggers are made to call these: 0008 created its
-- functions in whatever schema came first in the search path, which, when
-- that was not the one of records, left the triggers calling 0007's
-- function or one that could not find pedigree_require_read_committed.
CREATE OR REPLACE FUNCTION pedigree_require_read_committed(action text)
RETURNS void
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
  DELETE FROM record_openness t USING old_rows o WHERE t.record_id = o.id;
  DELETE FROM license_refs t USING old_rows o WHERE t.record_id = o.id;
  DELETE FROM record_judgments t USING old_rows o WHERE t.record_id = o.id;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION pedigree_truncate_record_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pedigree_require_read_committed('truncated');
  DELETE FROM record_signatures;
  DELETE FROM artifacts;
  DELETE FROM datasets;
  DELETE FROM record_openness;
  DELETE FROM license_refs;
  DELETE FROM record_judgments;
  RETURN NULL;
END
$$;

DROP TRIGGER records_delete_their_rows ON records;
CREATE TRIGGER records_delete_their_rows
  AFTER DELETE ON records REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_delete_record_rows();
DROP TRIGGER records_truncate_their_rows ON records;
CREATE TRIGGER records_truncate_their_rows
  AFTER TRUNCATE ON records
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_truncate_record_rows();

-- CREATE OR REPLACE dropped the search_path 0008 set: set it again, and
-- set it for the new function.
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
  EXECUTE format('ALTER FUNCTION pedigree_insert_openness_component() '
                 'SET search_path = %s', path);
  EXECUTE format('ALTER FUNCTION pedigree_delete_record_rows() '
                 'SET search_path = %s', path);
  EXECUTE format('ALTER FUNCTION pedigree_truncate_record_rows() '
                 'SET search_path = %s', path);
END
$$;

SELECT pg_catalog.set_config(
         'search_path',
         pg_catalog.current_setting('pedigree.search_path_before_0010'), true);
