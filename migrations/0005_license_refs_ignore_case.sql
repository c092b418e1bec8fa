-- 0005: license ids are matched ignoring letter case.
--
-- SPDX matches license identifiers ignoring case, and the judgment
-- (core/license FindLicenseTerms) treats "LicenseRef-Llama-3.1-Community"
-- and "licenseref-llama-3.1-community" as one license; so must the search by
-- declared license (SearchRecords license_id), which compares
-- lower(license_id) and needs this index to stay an index scan.

CREATE INDEX license_refs_license_lower_idx ON license_refs (lower(license_id));
