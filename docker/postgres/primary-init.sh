#!/bin/sh
# Runs once, when the primary's data directory is created: a role for the replica's
# streaming connection, and permission for it to connect.
set -eu
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" <<SQL
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '${REPLICATION_PASSWORD}';
ALTER DATABASE "$POSTGRES_DB" SET timezone TO 'UTC';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
