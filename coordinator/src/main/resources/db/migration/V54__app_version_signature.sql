-- Signed apps (issue 16): the project's signature of a deployed version, when it was deployed signed. It is the
-- protobuf AppSignature (wasm.proto) as workers receive it with each task: the Ed25519 signature, the chain of key
-- announcements from a trusted key to the signing one, and the signed fields a worker does not otherwise see
-- (validation, credit). NULL: deployed unsigned (no project key was configured then).
ALTER TABLE app_version ADD COLUMN signature bytea;
