#!/usr/bin/env bash
# Redress's built-in scan against Checkov on the same files, in the same run, with the
# Checkov checks that the policies list as equivalents. Not a test: prints medians and ratios
# for docs/BENCHMARKS.md.
#
# Usage (Checkov is not a project dependency; install it in a throwaway venv):
#   python3 -m venv /tmp/checkov-venv && /tmp/checkov-venv/bin/pip install checkov
#   CHECKOV=/tmp/checkov-venv/bin/checkov crates/policy/benches/compare_checkov.sh [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
corpora=${REDRESS_CORPORA:-$root/../shared/corpora}
checkov=${CHECKOV:-checkov}
runs=${1:-5}
target=${CARGO_TARGET_DIR:-$root/target}

ids=$(python3 - "$here/../policies" <<'PY'
import sys, glob, tomllib
ids = []
for f in sorted(glob.glob(sys.argv[1] + "/*.toml")):
    for p in tomllib.load(open(f, "rb"))["policy"]:
        ids += p.get("equivalents", {}).get("checkov", [])
print(",".join(dict.fromkeys(ids)))
PY
)
echo "checkov checks: $(echo "$ids" | tr ',' '\n' | wc -l) ($("$checkov" --version))"

cargo build -q --release -p redress-policy --example redress_policy --manifest-path "$root/Cargo.toml"
redress="$target/release/examples/redress_policy"

median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
time_ms() { local s e; s=$(date +%s%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s%N); echo $(((e - s) / 1000000)); }

for module in terraform-aws-s3-bucket terraform-aws-security-group; do
  dir="$corpora/terraform-aws-modules/$module"
  files=$(find "$dir" -name '*.tf' | wc -l)
  r=$(for _ in $(seq "$runs"); do time_ms "$redress" scan "$dir" --json; done | median)
  c=$(for _ in $(seq "$runs"); do time_ms "$checkov" -d "$dir" --framework terraform --check "$ids" --skip-download --quiet --compact -o json; done | median)
  failing_r=$("$redress" scan "$dir" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["results"]))')
  failing_c=$({ "$checkov" -d "$dir" --framework terraform --check "$ids" --skip-download --quiet --compact -o json 2>/dev/null || true; } \
    | python3 -c 'import json,sys
d=json.load(sys.stdin); d=d if isinstance(d,list) else [d]
print(sum(len(x.get("results",{}).get("failed_checks",[])) for x in d))' || echo "?")
  echo "$module: $files files; redress ${r} ms (failing instances: $failing_r), checkov ${c} ms (failed checks: $failing_c), ratio $(awk -v c="$c" -v r="$r" 'BEGIN {printf "%.0f", c / (r > 0 ? r : 1)}')x (medians of $runs end-to-end runs)"
done
