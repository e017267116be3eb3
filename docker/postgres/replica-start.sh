#!/bin/sh
# The replica: on first start, copy the primary with pg_basebackup (-R writes the
# standby settings), then run as a hot standby that streams from it.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_isready -h primary -U replicator; do sleep 1; done
    PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup -h primary -U replicator \
        -D "$PGDATA" -R -X stream -c fast
    chmod 700 "$PGDATA"
fi
exec postgres -c hot_standby=on
