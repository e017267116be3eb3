#!/usr/bin/env bash
# Back up or restore the catalogue database named by DATABASE_URL.
#
#   scripts/backup.sh backup  [FILE]   pg_dump (custom format) to FILE,
#                                      default backups/<UTC timestamp>.dump
#   scripts/backup.sh restore [FILE]   pg_restore FILE (default: the newest backup) into
#                                      the database, replacing what is there; asks first
#                                      unless CONFIRM=yes or there is no terminal to ask
#
# `make backup` and `make restore` call this with DATABASE_URL set; FILE=... chooses the file.
set -euo pipefail

cd "$(dirname "$0")/.."

die() { echo "backup.sh: $*" >&2; exit 1; }

[ -n "${DATABASE_URL:-}" ] || die "DATABASE_URL is not set."
# libpq understands postgres:// and postgresql://; the settings also accept pgsql://.
url="${DATABASE_URL/#pgsql:\/\//postgresql://}"
# Shown in messages without the password.
where="$(printf '%s' "$url" | sed -E 's#://([^:@/]*):[^@/]*@#://\1:***@#')"

command -v pg_dump >/dev/null && command -v pg_restore >/dev/null && command -v psql >/dev/null \
    || die "pg_dump, pg_restore and psql are needed: install the PostgreSQL client (apt-get install postgresql-client)."

action="${1:-}"
file="${2:-${FILE:-}}"

case "$action" in
backup)
    if [ -z "$file" ]; then
        mkdir -p backups
        file="backups/$(date -u +%Y%m%dT%H%M%SZ).dump"
    fi
    tmp="$file.partial"
    # Written to a temporary name first, so a failed dump never looks like a good backup.
    pg_dump --format=custom --no-owner --no-acl --dbname="$url" --file="$tmp"
    mv "$tmp" "$file"
    echo "Backed up $where to $file ($(du -h "$file" | cut -f1))."
    ;;
restore)
    if [ -z "$file" ]; then
        file="$(ls -1 backups/*.dump 2>/dev/null | sort | tail -n 1 || true)"
        [ -n "$file" ] || die "no backup given (FILE=...) and none in backups/."
    fi
    [ -f "$file" ] || die "$file does not exist."
    pg_restore --list "$file" >/dev/null 2>&1 || die "$file is not a pg_dump custom-format backup."
    if [ "${CONFIRM:-}" != "yes" ] && [ -t 0 ]; then
        read -r -p "Replace the contents of $where with $file? Type yes to go on: " answer
        [ "$answer" = "yes" ] || die "restore cancelled; nothing was changed."
    fi
    # Materialized views are derived data. pg_restore fills them with an empty
    # search_path, which breaks a view whose query names tables inside a string (such as
    # ts_stat's), so they are left out here and refreshed once the tables are back.
    contents="$(mktemp)"
    trap 'rm -f "$contents" "$contents.use"' EXIT
    pg_restore --list "$file" >"$contents"
    grep -v ' MATERIALIZED VIEW DATA ' "$contents" >"$contents.use" || true
    # One transaction: either the whole backup is restored or nothing changes.
    pg_restore --clean --if-exists --no-owner --no-acl --single-transaction \
        --exit-on-error --use-list="$contents.use" --dbname="$url" "$file"
    # List lines read: "<id>; 0 <oid> MATERIALIZED VIEW DATA <schema> <name> <owner>".
    grep ' MATERIALIZED VIEW DATA ' "$contents" | awk '{print $7 "." $8}' | while read -r view; do
        psql "$url" --quiet --no-psqlrc -v ON_ERROR_STOP=1 \
            -c "REFRESH MATERIALIZED VIEW \"${view%%.*}\".\"${view#*.}\"" \
            || die "restored, but refreshing $view failed; run REFRESH MATERIALIZED VIEW $view."
    done
    echo "Restored $file into $where."
    ;;
*)
    die "usage: scripts/backup.sh backup [FILE] | restore [FILE]"
    ;;
esac
