#!/usr/bin/env bash
# Download one ENA/SRA run over Aspera, each read checked against the MD5
# that ENA publishes for it.
#
#   bash ena_download.sh ASESSION DESTINATION RUN     e.g. ... asession reads ERR164407
#   bash ena_download.sh --md5-list REPORT.tsv        only turn a file report into an md5 list
#
# ENA's file report (its portal API, fields fastq_aspera and fastq_md5)
# names the run's files and their MD5; jq turns it into the spec's paths
# and into the md5sum list that asession --checksums compares every file
# with as it lands. A read that differs fails the run (exit 1). The SSH key
# is the one IBM Aspera Connect ships (ENA_KEY, by default
# ~/.aspera/connect/etc/asperaweb_id_dsa.openssh). One result line goes to
# stdout, asession's error lines to stderr; the exit status is asession's.
# Needs bash, curl and jq 1.5+.
set -euo pipefail

# The report's rows, one object per FASTQ file: {path, md5}. Columns are
# found by name; a run's files (two or three for paired reads) are
# ';'-separated in both columns, in the same order; fastq_aspera gives
# them as host:/path.
files='[inputs | sub("\r$"; "") | split("\t")]
  | .[0] as $h
  | if ($h | index("fastq_aspera")) == null or ($h | index("fastq_md5")) == null
    then error("the report has no fastq_aspera or fastq_md5 column") else . end
  | .[1:][]
  | [$h, .] | transpose | map({(.[0]): .[1]}) | add
  | select((.fastq_aspera // "") != "")
  | [(.fastq_aspera | split(";")), (.fastq_md5 | split(";"))]
  | if (.[0] | length) != (.[1] | length) then error("not one fastq_md5 per file of fastq_aspera") else . end
  | transpose[]
  | {path: (.[0] | sub("^[^/]*:"; "")), md5: .[1]}'

# md5_list REPORT: "MD5  NAME" per file; each file lands in the destination
# by its name, which is how asession matches it.
md5_list() { jq -Rnr "$files"' | "\(.md5)  \(.path | split("/") | last)"' "$1"; }

if [[ ${1:-} == --md5-list ]]; then
  md5_list "$2"
  exit
fi
if (($# != 3)); then
  echo "usage: bash ena_download.sh ASESSION DESTINATION RUN" >&2
  exit 2
fi
asession=$1 destination=$2 run=$3
key=${ENA_KEY:-$HOME/.aspera/connect/etc/asperaweb_id_dsa.openssh}
command -v jq >/dev/null || { echo "jq is required" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

curl -sSfG https://www.ebi.ac.uk/ena/portal/api/filereport \
  -d "accession=$run" -d result=read_run -d fields=fastq_aspera,fastq_md5 > "$tmp/report.tsv"
md5_list "$tmp/report.tsv" > "$tmp/$run.md5"
jq -Rn --arg key "$key" --arg dest "$destination" "[$files | {source: .path}]"' as $paths
  | {remote_host: "fasp.sra.ebi.ac.uk", remote_user: "era-fasp", ssh_port: 33001,
     ssh_private_key_path: $key, direction: "receive", create_dir: true,
     resume_policy: "sparse_csum", target_rate_kbps: 300000,
     paths: $paths, destination_root: $dest}' "$tmp/report.tsv" > "$tmp/job.json"

code=0
"$asession" --checksums "$tmp/$run.md5" --events progress "$tmp/job.json" > "$tmp/out.jsonl" || code=$?
jq -r 'select(.type == "error") | "error: \(.description)" + (if .hint then " (hint: \(.hint))" else "" end)' "$tmp/out.jsonl" >&2
jq -r 'select(.type == "summary")
  | "\(.status): \(.files.completed) of \(.files.attempted) files of \($run), checksums \(.checksums.matched // 0) matched, \(.checksums.mismatched // 0) differ, \(.checksums.missing // 0) missing"' \
  --arg run "$run" "$tmp/out.jsonl"
exit "$code"
