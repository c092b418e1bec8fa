-- 0006: the same format checks on the publish path, without bounded
-- repetition in the regular expressions.
--
-- PostgreSQL's regex engine expands a bounded repetition such as
-- [a-z0-9_-]{0,63} into that many NFA states; matching one short value
-- against it cost ~5 us, against ~0.5 us for an unbounded class plus a
-- length test (measured on PostgreSQL 15 over 200,000 values). A publish
-- checks about thirty such values (record names, one row per openness
-- component, dataset, edge and license), so these checks were a tenth of
-- all CPU time under publish load.
--
-- Each constraint keeps its name and accepts exactly the values it accepted
-- before: '^[S]{m,n}$' is char_length between m and n of a string made of S
-- only, and '^[F][S]{0,n}$' is char_length between 1 and n + 1 of a string
-- whose first character is in F and every other in S (ARE anchors match
-- only at the ends of the string, so neither form admits a newline). Rows
-- already stored were checked by the old constraints; adding a constraint
-- checks them again. One ALTER TABLE per table: each table is read once.
-- The namespaces and keys checks stay as they were: they run once per
-- administrator call, not per publish.

ALTER TABLE records
  DROP CONSTRAINT records_model_namespace_format,
  DROP CONSTRAINT records_model_name_format,
  DROP CONSTRAINT records_model_version_format,
  DROP CONSTRAINT records_declared_openness_format,
  ADD CONSTRAINT records_model_namespace_format
    CHECK (char_length(model_namespace) BETWEEN 1 AND 96
           AND model_namespace ~ '^[A-Za-z0-9._-]*$'),
  ADD CONSTRAINT records_model_name_format
    CHECK (char_length(model_name) BETWEEN 1 AND 96
           AND model_name ~ '^[A-Za-z0-9._-]*$'),
  ADD CONSTRAINT records_model_version_format
    CHECK (char_length(model_version) BETWEEN 1 AND 128
           AND model_version ~ '^[!-.0-?A-~]*$'),
  ADD CONSTRAINT records_declared_openness_format
    CHECK (char_length(declared_openness) BETWEEN 1 AND 64
           AND declared_openness ~ '^[a-z][a-z0-9_-]*$');

ALTER TABLE datasets
  DROP CONSTRAINT datasets_role_format,
  DROP CONSTRAINT datasets_disclosure_format,
  ADD CONSTRAINT datasets_role_format
    CHECK (char_length(role) BETWEEN 1 AND 64 AND role ~ '^[a-z][a-z0-9_-]*$'),
  ADD CONSTRAINT datasets_disclosure_format
    CHECK (char_length(disclosure) BETWEEN 1 AND 64
           AND disclosure ~ '^[a-z][a-z0-9_-]*$');

ALTER TABLE openness_components
  DROP CONSTRAINT openness_components_component_format,
  DROP CONSTRAINT openness_components_status_format,
  ADD CONSTRAINT openness_components_component_format
    CHECK (char_length(component) BETWEEN 1 AND 64
           AND component ~ '^[a-z][a-z0-9_-]*$'),
  ADD CONSTRAINT openness_components_status_format
    CHECK (char_length(status) BETWEEN 1 AND 64
           AND status ~ '^[a-z][a-z0-9_-]*$');

ALTER TABLE lineage_edges
  DROP CONSTRAINT lineage_edges_relation_format,
  ADD CONSTRAINT lineage_edges_relation_format
    CHECK (char_length(relation) BETWEEN 1 AND 64
           AND relation ~ '^[a-z][a-z0-9_-]*$');

ALTER TABLE license_refs
  DROP CONSTRAINT license_refs_license_id_format,
  ADD CONSTRAINT license_refs_license_id_format
    CHECK (char_length(license_id) BETWEEN 1 AND 128
           AND license_id ~ '^[A-Za-z0-9.+:-]*$');
