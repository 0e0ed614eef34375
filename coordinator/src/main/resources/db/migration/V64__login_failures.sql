-- Failed logins by client address (LoginThrottle), in the database so that every coordinator on it counts the same
-- guesses: behind a load balancer a guesser gets no more tries with more coordinators.
CREATE TABLE login_failure (
    address  text        PRIMARY KEY,
    failures integer     NOT NULL,
    first_at timestamptz NOT NULL
);
CREATE INDEX login_failure_first_at ON login_failure (first_at);
