#!/bin/sh
# Compile the crates the graded manifests use into /opt/polyglot/rust-target.
set -e
export CARGO_TARGET_DIR=/opt/polyglot/rust-target
for dep in 'time = "0.3"' 'anyhow = "1.0"' 'rand = "0.8"'; do
  name=$(echo "$dep" | cut -d' ' -f1)
  d=/tmp/prebuild-$name
  mkdir -p $d/src $d/tests
  printf '[package]\nedition = "2021"\nname = "prebuild-%s"\nversion = "0.0.0"\n\n[dependencies]\n%s\n' "$name" "$dep" > $d/Cargo.toml
  echo 'pub fn f() {}' > $d/src/lib.rs
  echo '#[test] fn t() {}' > $d/tests/t.rs
  (cd $d && cargo test -- --include-ignored)
  rm -rf $d
done
# the exercises' own crates are rebuilt per run anyway
rm -rf $CARGO_TARGET_DIR/debug/deps/*prebuild* $CARGO_TARGET_DIR/debug/.fingerprint/prebuild-* \
  $CARGO_TARGET_DIR/debug/prebuild* $CARGO_TARGET_DIR/debug/build/prebuild-* $CARGO_TARGET_DIR/debug/incremental
du -sh $CARGO_TARGET_DIR
