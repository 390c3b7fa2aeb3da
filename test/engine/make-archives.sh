#!/usr/bin/env bash
# Regenerate the archive files in the build contexts of the ADD cases. The
# outputs are committed, and this script records how they were made. Fixed
# timestamps, owners and `gzip -n` keep the bytes the same on every run.
set -euo pipefail
cd "$(dirname "$0")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/members"
printf 'first member\n' >"$work/members/one.txt"
printf 'second member\n' >"$work/members/two.txt"
touch -d '2020-01-01 00:00:00 UTC' "$work/members" "$work/members"/*.txt

tar_options=(--sort=name --owner=0 --group=0 --numeric-owner
  --mtime='2020-01-01 00:00:00 UTC' -C "$work/members")

# ADD never unpacks zip files, so the zip lands in the image as it is.
mkdir -p add-zip-archive/context
rm -f add-zip-archive/context/bundle.zip
(cd "$work/members" && TZ=UTC zip -q -X -D \
  "$OLDPWD/add-zip-archive/context/bundle.zip" one.txt two.txt)

# gzip of a text file: after decompression the bytes are not a tar header,
# so ADD copies the compressed file without unpacking it.
mkdir -p add-gzip-of-text/context
printf 'Text that is compressed but not archived.\n' |
  gzip -n -9 >add-gzip-of-text/context/payload.bin

# A ustar archive named like a text file: ADD unpacks it by content.
mkdir -p add-tar-misleading-name/context
tar "${tar_options[@]}" --format=ustar -cf \
  add-tar-misleading-name/context/readme.txt one.txt two.txt

# A V7 archive has no `ustar` magic, and ADD still unpacks it (seen with
# the BuildKit of Docker 20.10).
mkdir -p add-v7-tar/context
tar "${tar_options[@]}" --format=v7 -cf add-v7-tar/context/legacy.dat \
  one.txt two.txt
