-- 0002: the transparency log.
--
-- Every accepted record and key is an entry of one append-only Merkle log
-- (RFC 9162 hashing). An entry's bytes are derived from its row (the format
-- is in docs/transparency-log.md and core/record/log_entry.h); its leaf hash
-- is stored so that the tree can be extended without re-reading entries.
--
-- Sequencing and integration happen in one transaction in the server: the
-- log_state row is locked, entries get the next indexes, the completed
-- perfect subtrees are written to log_nodes and a checkpoint signed by the
-- log key is stored. An entry is therefore either in the log with its index,
-- its nodes and a checkpoint covering it, or absent.
--
-- Entries at or beyond log_state.tree_size are sequenced but not yet
-- integrated: only this migration creates such entries (the records and keys
-- stored before the log existed, in the order they were added); the server
-- integrates them when it first starts on the log.

CREATE TABLE log_entries (
  idx       bigint PRIMARY KEY,
  record_id bigint REFERENCES records (id),
  key_id    bigint REFERENCES keys (id),
  leaf_hash bytea  NOT NULL,
  CONSTRAINT log_entries_idx_not_negative CHECK (idx >= 0),
  CONSTRAINT log_entries_one_subject
    CHECK ((record_id IS NULL) <> (key_id IS NULL)),
  CONSTRAINT log_entries_leaf_hash_sha256 CHECK (octet_length(leaf_hash) = 32),
  CONSTRAINT log_entries_record_unique UNIQUE (record_id),
  CONSTRAINT log_entries_key_unique UNIQUE (key_id)
);

-- The hash of every perfect subtree: 2^level leaves starting at leaf
-- idx * 2^level. Level 0 repeats the leaf hashes. A root or proof is a
-- handful of reads by primary key.
CREATE TABLE log_nodes (
  level smallint NOT NULL,
  idx   bigint   NOT NULL,
  hash  bytea    NOT NULL,
  PRIMARY KEY (level, idx),
  CONSTRAINT log_nodes_level_range CHECK (level BETWEEN 0 AND 63),
  CONSTRAINT log_nodes_idx_not_negative CHECK (idx >= 0),
  CONSTRAINT log_nodes_hash_sha256 CHECK (octet_length(hash) = 32)
);

-- The log's identity and integrated size: one row, written by the server on
-- its first start on this database. A server whose log key differs refuses
-- to start.
CREATE TABLE log_state (
  singleton    boolean PRIMARY KEY DEFAULT true,
  origin       text    NOT NULL,
  verifier_key text    NOT NULL,
  tree_size    bigint  NOT NULL,
  root_hash    bytea   NOT NULL,
  CONSTRAINT log_state_one_row CHECK (singleton),
  CONSTRAINT log_state_tree_size_not_negative CHECK (tree_size >= 0),
  CONSTRAINT log_state_root_hash_sha256 CHECK (octet_length(root_hash) = 32)
);

-- Every checkpoint the log signed, one per integrated batch (and the empty
-- log's, of size 0): the C2SP signed note verbatim.
CREATE TABLE log_checkpoints (
  tree_size  bigint      PRIMARY KEY,
  root_hash  bytea       NOT NULL,
  note       text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT log_checkpoints_tree_size_not_negative CHECK (tree_size >= 0),
  CONSTRAINT log_checkpoints_root_hash_sha256
    CHECK (octet_length(root_hash) = 32)
);

-- Sequence what existed before the log, oldest first. The entry bytes are
-- built exactly as core/record/log_entry.cc builds them.
INSERT INTO log_entries (idx, record_id, key_id, leaf_hash)
SELECT row_number() OVER (ORDER BY added, kind, id) - 1, record_id, key_id,
       sha256('\x00'::bytea || entry)
FROM (
  SELECT k.added_at AS added, 0 AS kind, k.id, NULL::bigint AS record_id,
         k.id AS key_id,
         convert_to(E'pedigree/log-entry/v1 key\n' || n.name || E'\n' ||
                    k.key_id || E'\n' || k.key_type || E'\n' ||
                    translate(encode(k.public_key, 'base64'), E'\n', '') ||
                    E'\n', 'UTF8') AS entry
  FROM keys k JOIN namespaces n ON n.id = k.namespace_id
  UNION ALL
  SELECT r.published_at, 1, r.id, r.id, NULL,
         convert_to(E'pedigree/log-entry/v1 record\n', 'UTF8') || r.envelope
  FROM records r
) existing;
