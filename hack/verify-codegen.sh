#!/usr/bin/env bash
# Fails, listing the stale files, when checked-in generated output differs from
# what hack/update-codegen.sh produces now. It regenerates in a temporary copy of
# the tree, so the working tree is never touched.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$root"
# Copy tracked and untracked-but-not-ignored files: what a commit would hold.
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [[ -e $f ]] && printf '%s\0' "$f"
done | tar --null -T - -cf - | tar -xf - -C "$tmp"

if ! (cd "$tmp" && hack/update-codegen.sh) >"$tmp.log" 2>&1; then
  cat "$tmp.log" >&2
  echo "error: regenerating failed; see above" >&2
  exit 1
fi
rm -f "$tmp.log"

if ! diff -r -q -x bin -x .local "$root" "$tmp" --exclude=.git >"$tmp.diff" 2>&1; then
  # Ignore files that exist only in the working tree and are ignored by git.
  stale=$(grep -v "^Only in $root" "$tmp.diff" || true)
  if [[ -n $stale ]]; then
    echo "Generated files are out of date; run 'make generate' and commit the result:" >&2
    echo "$stale" | sed -e "s|$tmp|<regenerated>|g" -e "s|$root/||g" >&2
    rm -f "$tmp.diff"
    exit 1
  fi
fi
rm -f "$tmp.diff"
echo "generated files are up to date"
