#!/usr/bin/env bash
# Writes N student submissions into OUT (one folder per student), cycling through the committed
# examples and the student-file corpus, for benchmarking `exercises grade-class`:
#   generate_class.sh OUT [N=300]
#   time exercises grade-class OUT --csv grades.csv --analysis items.md
set -euo pipefail
out="$1"; n="${2:-300}"
here="$(cd "$(dirname "$0")" && pwd)"
ex="$here/.."
mkdir -p "$out"
kinds=(correct mistakes)
for ((i = 0; i < n; i++)); do
  d="$out/$(printf 'student%04d' "$i")"
  mkdir -p "$d"
  for p in 1 2 3 4 5; do
    pick=$(( (i * 7 + p * 3) % 5 ))
    case $pick in
      0|1) cp "$ex/answers/${kinds[$pick]}_ex$p.txt" "$d/ex$p.txt" ;;
      2) f=$(ls "$here"/data/*_ex$p.txt | sed -n "$(( i % $(ls "$here"/data/*_ex$p.txt | wc -l) + 1 ))p"); cp "$f" "$d/ex$p.txt" ;;
      3) cp "$ex/answers/correct_ex$p.txt" "$d/answers_ex$p.txt" ;;
      4) [ $(( i % 3 )) -eq 0 ] || cp "$ex/answers/template_ex$p.txt" "$d/template_ex$p.txt" ;;
    esac
  done
done
echo "wrote $n submissions in $out"
