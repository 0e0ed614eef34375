-- A deployed app's job may end in a reduce step (issue 16): after its work units are validated, a deployed app
-- version (reduce_app, pinned at submit like job.app) runs on workers over their canonical outputs, as a tree of
-- levels when they are many, each level one more stage of the job. reduce holds the step as submitted and the tree's
-- shape fixed at submit ({"args":[...],"fanIn":k,"maxInputs":n,"maxInputBytes":b}), so a coordinator restarted with
-- other settings plans the job's levels the same. The work units of stages after the first are the reduce app's:
-- their replicas name it in result.app, and validation judges them by it.
ALTER TABLE job ADD COLUMN reduce_app text;
ALTER TABLE job ADD COLUMN reduce jsonb;
ALTER TABLE job ADD CONSTRAINT job_reduce_whole CHECK ((reduce_app IS NULL) = (reduce IS NULL));
