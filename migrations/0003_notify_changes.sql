-- 0003: tell listening servers when registry data changes.
--
-- Every statement that changes records, their index rows, namespaces or
-- keys sends a notification on channel pedigree_changes when its transaction
-- commits (PostgreSQL delivers notifications only on commit and folds
-- duplicates within a transaction). Servers use it to drop answers they
-- keep in memory (server/storage/change_feed.h); the payload is the table
-- name, for diagnosis only. Statement-level triggers: one notification per
-- statement, however many rows it touches.

CREATE FUNCTION pedigree_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pedigree_changes', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER namespaces_notify_change
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON namespaces
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_notify_change();
CREATE TRIGGER keys_notify_change
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON keys
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_notify_change();
CREATE TRIGGER records_notify_change
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON records
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_notify_change();
CREATE TRIGGER record_signatures_notify_change
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON record_signatures
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_notify_change();
CREATE TRIGGER artifacts_notify_change
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON artifacts
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_notify_change();
