-- 0001: the registry's first schema.
--
-- Provenance records are DSSE envelopes around in-toto Statement v1 payloads.
-- The envelope is stored verbatim (it is what signatures cover); every other
-- column and table is an index over it, extracted by the server when the
-- record is published, so that queries never have to parse envelopes.
--
-- Conventions: snake_case identifiers; digests are raw 32-byte SHA-256 values
-- in bytea; constraints are named so that a later migration can drop or
-- replace one; records are append-only (no UPDATE path exists in the server),
-- and the tables describing a record are deleted with it.
--
-- Name rules mirror core/record/model_ref.h. Namespaces and model names
-- compare ASCII case-insensitively (as on Hugging Face), hence the unique
-- indexes on lower(...).

-- Applied migrations. Written by the migrator in the same transaction as the
-- migration itself; the migrator reads it to refuse unknown or edited
-- migrations.
CREATE TABLE schema_migrations (
  version    integer     PRIMARY KEY,
  name       text        NOT NULL,
  checksum   bytea       NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT schema_migrations_version_positive CHECK (version > 0),
  CONSTRAINT schema_migrations_name_unique UNIQUE (name),
  CONSTRAINT schema_migrations_checksum_sha256
    CHECK (octet_length(checksum) = 32)
);

-- Publishers: a Hugging Face style owner ("deepseek-ai").
CREATE TABLE namespaces (
  id         bigserial   PRIMARY KEY,
  name       text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT namespaces_name_format CHECK (name ~ '^[A-Za-z0-9._-]{1,96}$')
);
CREATE UNIQUE INDEX namespaces_name_unique ON namespaces (lower(name));

-- Public keys allowed to sign a namespace's records. key_id is the lowercase
-- hex key identifier (derived from the key by core/crypto); public_key is the
-- DER SubjectPublicKeyInfo. A revoked key keeps its row so that records it
-- signed can still be explained.
CREATE TABLE keys (
  id                bigserial   PRIMARY KEY,
  namespace_id      bigint      NOT NULL REFERENCES namespaces (id),
  key_id            text        NOT NULL,
  key_type          text        NOT NULL,
  public_key        bytea       NOT NULL,
  status            text        NOT NULL DEFAULT 'active',
  added_at          timestamptz NOT NULL DEFAULT now(),
  revoked_at        timestamptz,
  revocation_reason text,
  CONSTRAINT keys_key_id_unique UNIQUE (key_id),
  CONSTRAINT keys_key_id_hex CHECK (key_id ~ '^([0-9a-f]{2}){8,64}$'),
  CONSTRAINT keys_key_type_format CHECK (key_type ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  CONSTRAINT keys_public_key_size
    CHECK (octet_length(public_key) BETWEEN 1 AND 16384),
  CONSTRAINT keys_status_known CHECK (status IN ('active', 'revoked')),
  CONSTRAINT keys_revoked_at_iff_revoked
    CHECK ((status = 'revoked') = (revoked_at IS NOT NULL)),
  CONSTRAINT keys_reason_only_when_revoked
    CHECK (revocation_reason IS NULL OR status = 'revoked')
);
CREATE INDEX keys_namespace_idx ON keys (namespace_id);

-- One published provenance record: model namespace/name@version. Immutable
-- once inserted. record_digest is the SHA-256 of the DSSE payload;
-- root_digest is the root of the record's artifact manifest.
CREATE TABLE records (
  id                bigserial   PRIMARY KEY,
  namespace_id      bigint      NOT NULL REFERENCES namespaces (id),
  -- The namespace as spelled in the record (it matches namespaces.name
  -- ignoring case), so that reads return the ref exactly as published.
  model_namespace   text        NOT NULL,
  model_name        text        NOT NULL,
  model_version     text        NOT NULL,
  record_digest     bytea       NOT NULL,
  envelope          bytea       NOT NULL,
  payload_type      text        NOT NULL,
  root_digest       bytea       NOT NULL,
  release_date      date        NOT NULL,
  -- SPDX license expressions exactly as declared; the ids they reference are
  -- in license_refs.
  weights_license   text        NOT NULL,
  code_license      text        NOT NULL,
  -- The publisher's openness claim, by wire name ("open_weight",
  -- "unspecified", ...).
  declared_openness text        NOT NULL,
  published_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT records_model_namespace_format
    CHECK (model_namespace ~ '^[A-Za-z0-9._-]{1,96}$'),
  CONSTRAINT records_model_name_format
    CHECK (model_name ~ '^[A-Za-z0-9._-]{1,96}$'),
  CONSTRAINT records_model_version_format
    CHECK (model_version ~ '^[!-.0-?A-~]{1,128}$'),
  CONSTRAINT records_record_digest_unique UNIQUE (record_digest),
  CONSTRAINT records_record_digest_sha256
    CHECK (octet_length(record_digest) = 32),
  CONSTRAINT records_root_digest_sha256 CHECK (octet_length(root_digest) = 32),
  CONSTRAINT records_envelope_not_empty CHECK (octet_length(envelope) > 0),
  CONSTRAINT records_payload_type_not_empty CHECK (payload_type <> ''),
  CONSTRAINT records_weights_license_not_empty CHECK (weights_license <> ''),
  CONSTRAINT records_code_license_not_empty CHECK (code_license <> ''),
  CONSTRAINT records_declared_openness_format
    CHECK (declared_openness ~ '^[a-z][a-z0-9_-]{0,63}$')
);
-- Lists are newest first, paginated by the key (published_at, id); each
-- index below serves one lookup and its order.
CREATE UNIQUE INDEX records_name_version_unique
  ON records (namespace_id, lower(model_name), model_version);
CREATE INDEX records_model_published_idx
  ON records (namespace_id, lower(model_name), published_at, id);
CREATE INDEX records_namespace_published_idx
  ON records (namespace_id, published_at, id);
CREATE INDEX records_name_prefix_idx
  ON records (lower(model_name) text_pattern_ops);
CREATE INDEX records_root_digest_idx ON records (root_digest, published_at, id);
CREATE INDEX records_published_at_idx ON records (published_at, id);

-- Keys whose DSSE signatures over the record verified at publication.
CREATE TABLE record_signatures (
  record_id bigint NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  key_id    bigint NOT NULL REFERENCES keys (id),
  PRIMARY KEY (record_id, key_id)
);
CREATE INDEX record_signatures_key_idx ON record_signatures (key_id);

-- Files of the model (weights, tokenizer, config) named by the record's
-- manifest. `path` is relative, '/'-separated.
CREATE TABLE artifacts (
  record_id  bigint NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  path       text   NOT NULL,
  sha256     bytea  NOT NULL,
  size_bytes bigint NOT NULL,
  PRIMARY KEY (record_id, path),
  CONSTRAINT artifacts_path_relative
    CHECK (path <> '' AND left(path, 1) <> '/' AND path !~ '[[:cntrl:]]'),
  CONSTRAINT artifacts_sha256_size CHECK (octet_length(sha256) = 32),
  CONSTRAINT artifacts_size_not_negative CHECK (size_bytes >= 0)
);
CREATE INDEX artifacts_sha256_idx ON artifacts (sha256);

-- Datasets the publisher disclosed, in declaration order. role is e.g.
-- "pretraining", "fine-tuning" or "evaluation"; disclosure says how much is
-- known (e.g. "public", "described", "undisclosed").
CREATE TABLE datasets (
  record_id  bigint  NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  ordinal    integer NOT NULL,
  name       text    NOT NULL,
  role       text    NOT NULL,
  disclosure text    NOT NULL,
  license    text,
  location   text,
  sha256     bytea,
  PRIMARY KEY (record_id, ordinal),
  CONSTRAINT datasets_ordinal_not_negative CHECK (ordinal >= 0),
  CONSTRAINT datasets_name_not_empty CHECK (name <> ''),
  CONSTRAINT datasets_role_format CHECK (role ~ '^[a-z][a-z0-9_-]{0,63}$'),
  CONSTRAINT datasets_disclosure_format
    CHECK (disclosure ~ '^[a-z][a-z0-9_-]{0,63}$'),
  CONSTRAINT datasets_sha256_size
    CHECK (sha256 IS NULL OR octet_length(sha256) = 32)
);
CREATE INDEX datasets_name_idx ON datasets (name);

-- Model Openness Framework components (weights, training code, data, ...):
-- whether each is open, under which license and where it is published.
CREATE TABLE openness_components (
  record_id bigint NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  component text   NOT NULL,
  status    text   NOT NULL,
  license   text,
  location  text,
  PRIMARY KEY (record_id, component),
  CONSTRAINT openness_components_component_format
    CHECK (component ~ '^[a-z][a-z0-9_-]{0,63}$'),
  CONSTRAINT openness_components_status_format
    CHECK (status ~ '^[a-z][a-z0-9_-]{0,63}$')
);

-- Typed lineage: the child record descends from a parent named by locator
-- ("namespace/name@version" or "sha256:<root digest hex>"). parent_record_id
-- is set when the parent is (or later becomes) a record in this registry.
CREATE TABLE lineage_edges (
  child_record_id  bigint NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  parent_ref       text   NOT NULL,
  parent_record_id bigint REFERENCES records (id) ON DELETE SET NULL,
  relation         text   NOT NULL,
  PRIMARY KEY (child_record_id, parent_ref, relation),
  CONSTRAINT lineage_edges_parent_ref_not_empty CHECK (parent_ref <> ''),
  CONSTRAINT lineage_edges_relation_format
    CHECK (relation ~ '^[a-z][a-z0-9_-]{0,63}$'),
  CONSTRAINT lineage_edges_not_self
    CHECK (parent_record_id IS NULL OR parent_record_id <> child_record_id)
);
CREATE INDEX lineage_edges_parent_record_idx ON lineage_edges (parent_record_id);
CREATE INDEX lineage_edges_parent_ref_idx ON lineage_edges (parent_ref);

-- SPDX license identifiers (and LicenseRef-*) referenced anywhere in a record,
-- normalized for "which records use license X" queries. `source` says where
-- the reference appeared.
CREATE TABLE license_refs (
  record_id  bigint NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  license_id text   NOT NULL,
  source     text   NOT NULL,
  PRIMARY KEY (record_id, license_id, source),
  CONSTRAINT license_refs_license_id_format
    CHECK (license_id ~ '^[A-Za-z0-9.+:-]{1,128}$'),
  CONSTRAINT license_refs_source_known
    CHECK (source IN ('declared', 'artifact', 'dataset', 'component'))
);
CREATE INDEX license_refs_license_idx ON license_refs (license_id);
