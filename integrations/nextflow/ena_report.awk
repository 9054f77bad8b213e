# ena_report.awk turns ENA's file report, a TSV from its portal API
#   https://www.ebi.ac.uk/ena/portal/api/filereport?accession=RUN&result=read_run&fields=fastq_aspera,fastq_md5
# into what asession takes:
#   awk -v want=md5   -f ena_report.awk report.tsv   md5sum lines for --checksums, by file name
#   awk -v want=paths -f ena_report.awk report.tsv   the spec's "paths" line
# Columns are found by name in the header line. A run's files (paired
# reads have two or three) are separated by ';' in both columns, in the
# same order; fastq_aspera gives them as host:/path.
BEGIN { FS = "\t"; files = 0 }
{ sub(/\r$/, "") }
NR == 1 {
    for (i = 1; i <= NF; i++) col[$i] = i
    if (!("fastq_aspera" in col) || !("fastq_md5" in col)) {
        print "ena_report.awk: the report has no fastq_aspera or fastq_md5 column" > "/dev/stderr"
        failed = 1
        exit 2
    }
    next
}
$col["fastq_aspera"] != "" {
    n = split($col["fastq_aspera"], path, ";")
    if (split($col["fastq_md5"], sum, ";") != n) {
        print "ena_report.awk: line " NR ": not one fastq_md5 per file of fastq_aspera" > "/dev/stderr"
        failed = 1
        exit 2
    }
    for (i = 1; i <= n; i++) {
        p = path[i]
        sub(/^[^\/]*:/, "", p) # fasp.sra.ebi.ac.uk:/vol1/... is /vol1/...
        if (want == "md5") {
            name = p
            sub(/.*\//, "", name) # the file lands in destination_root by its name
            print sum[i] "  " name
        } else {
            line = line (files ? ", " : "") "{\"source\": \"" p "\"}"
        }
        files++
    }
}
END {
    if (failed) exit 2
    if (files == 0) {
        print "ena_report.awk: the report lists no FASTQ file" > "/dev/stderr"
        exit 2
    }
    if (want != "md5") print "  \"paths\": [" line "],"
}
