-- The known cause of a sign-in's outcome (Acs.Core.Diagnosis): a stable cause name, where it is fixed ('idp' or
-- 'service') and the advice in words. All three are set together or not at all.
ALTER TABLE login_events
    ADD COLUMN diagnosis_cause  text NULL,
    ADD COLUMN diagnosis_fix    text NULL,
    ADD COLUMN diagnosis_advice text NULL,
    ADD CONSTRAINT login_events_diagnosis_check CHECK (
        (diagnosis_cause IS NULL AND diagnosis_fix IS NULL AND diagnosis_advice IS NULL)
        OR (diagnosis_cause IS NOT NULL AND diagnosis_fix IN ('idp', 'service') AND diagnosis_advice IS NOT NULL));

-- A refused response's certificate is looked up across tenants ("trusted by another site of this service").
CREATE INDEX idp_certificates_thumbprint_idx ON idp_certificates (thumbprint_sha256);
