#!/usr/bin/env bash
# The main job on the shipped example data: builds a git repository from the three example
# versions of a privacy policy (examples/privacy/v1..v3.md), and runs `policy-diff check`
# after each commit, as the post-commit hook or cron would. Messages go to an outbox folder
# of .eml files (the default transport), so no mail server is needed.
#
# Usage: examples/demo.sh [FOLDER]   (default: target/demo; it is recreated)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$root/target/demo}

cargo build --quiet --manifest-path "$root/Cargo.toml"
pd="$root/target/debug/policy-diff"

rm -rf "$work"
mkdir -p "$work/policies"
cp "$root/examples/policy-diff.yaml" "$work/"
git -C "$work/policies" init --quiet -b main
commit() {
  cp "$root/examples/privacy/v$1.md" "$work/policies/privacy.md"
  git -C "$work/policies" add privacy.md
  git -C "$work/policies" -c user.name="Larkspur Legal" -c user.email=legal@larkspur.example \
    commit --quiet -m "Privacy policy, version $1"
  git -C "$work/policies" tag "v$1"
}

cd "$work"
for v in 1 2 3; do
  commit "$v"
  echo "\$ policy-diff check        # after committing version $v"
  "$pd" check --config policy-diff.yaml
done

echo
echo "\$ policy-diff v1 v2 --color never   # in $work/policies"
(cd policies && "$pd" v1 v2 --color never) || [ $? -eq 1 ]

echo
echo "Messages written to $work/outbox:"
ls -1 outbox
echo
echo "\$ policy-diff preview v2 v3 --to ada@customer.example   # the text part Ada received"
"$pd" preview v2 v3 --to ada@customer.example --config policy-diff.yaml

echo
echo "\$ policy-diff v1 v2 --format html > redline.html   # a redline page to open in a browser"
(cd policies && "$pd" v1 v2 --format html >"$work/redline.html") || [ $? -eq 1 ]
echo "\$ policy-diff site site   # the published changelog: index, timelines, change pages, Atom feeds"
(cd policies && "$pd" site "$work/site")
echo
echo "Open $work/redline.html and $work/site/index.html in a browser; $work/site/feed.atom is the feed."
