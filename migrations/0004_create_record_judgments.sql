-- 0004: the registry's judgment of every record.
--
-- core/judgment computes, from a record and its direct parents' judgments,
-- the openness label, the Model Openness Framework class, the effective
-- license obligations and the flags (docs/judgment.md). The server stores
-- the result here when it accepts a record, in the same transaction, and at
-- start-up (re)computes every row whose rule_set_version is not its own,
-- parents before children (a parent always has the smaller id). `judgment`
-- is the JSON form (core/judgment/judgment.h JudgmentToJson); label,
-- mof_class and flags repeat parts of it for queries.

CREATE TABLE record_judgments (
  record_id        bigint PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
  rule_set_version text   NOT NULL,
  label            text   NOT NULL,
  mof_class        text   NOT NULL,
  flags            text[] NOT NULL,
  judgment         text   NOT NULL,
  computed_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT record_judgments_version_not_empty CHECK (rule_set_version <> ''),
  CONSTRAINT record_judgments_label_known CHECK (label IN
    ('closed', 'open_weight_restricted', 'open_weight_permissive',
     'open_source')),
  CONSTRAINT record_judgments_mof_class_known CHECK (mof_class IN
    ('none', 'class_iii', 'class_ii', 'class_i')),
  CONSTRAINT record_judgments_judgment_not_empty CHECK (judgment <> '')
);
CREATE INDEX record_judgments_label_idx ON record_judgments (label);

-- "Which models were trained on this data", by the data's digest.
CREATE INDEX datasets_sha256_idx ON datasets (sha256) WHERE sha256 IS NOT NULL;
